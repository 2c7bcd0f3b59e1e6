"""The members page: invitations by username or email, roles, removals, at least one owner."""

import pytest
from django.core import mail
from django.http import Http404

from accounts.members import change_role, remove_member
from accounts.models import Invitation
from ichub.models import Membership
from tests.conftest import make_user

pytestmark = pytest.mark.django_db
URL = "/reviews/test-review/members/"
ROLES = ["anonymous", "outsider", "viewer", "editor", "owner"]


@pytest.fixture
def as_role(client, request, review):
    def login(role):
        if role != "anonymous":
            client.force_login(request.getfixturevalue(role))
        return client
    return login


@pytest.mark.parametrize("role", ROLES)
def test_only_owners_see_the_members_page_and_invite(as_role, role, editor):
    client = as_role(role)
    page = client.get(URL)
    invited = client.post(URL, {"invitee": "someone@example.org", "role": "viewer"})
    removed = client.post(f"{URL}{editor.pk}/remove/")
    expected = {"anonymous": 302, "outsider": 404, "viewer": 403, "editor": 403}
    assert page.status_code == expected.get(role, 200)
    assert invited.status_code == expected.get(role, 302)
    assert removed.status_code == expected.get(role, 302)
    assert Invitation.objects.exists() == (role == "owner")
    assert Membership.objects.filter(user=editor).exists() == (role != "owner")


def test_inviting_a_username_says_the_same_whether_or_not_it_exists(as_role):
    make_user("real_person")
    client = as_role("owner")
    real = client.post(URL, {"invitee": "real_person", "role": "editor"}, follow=True)
    ghost = client.post(URL, {"invitee": "ghost_person", "role": "editor"}, follow=True)
    message = [str(m) for m in real.context["messages"]]
    assert message == ["Done: invited real_person as editor."]
    assert [str(m) for m in ghost.context["messages"]] == [
        "Done: invited ghost_person as editor."]


def test_an_invited_username_accepts_on_their_account_page(as_role, client, review):
    newcomer = make_user("nina_newcomer")
    as_role("owner").post(URL, {"invitee": "nina_newcomer", "role": "editor"})
    invitation = Invitation.objects.get()
    client.force_login(newcomer)
    assert "Accept" in client.get("/accounts/").content.decode()
    response = client.post(f"/accounts/invitations/{invitation.pk}/accept/")
    assert response.status_code == 302
    assert review.role_of(newcomer) == "editor"


def test_nobody_else_accepts_an_invitation_by_username(as_role, client, outsider, review):
    as_role("owner").post(URL, {"invitee": "nina_newcomer", "role": "owner"})
    client.force_login(outsider)
    invitation = Invitation.objects.get()
    assert client.post(f"/accounts/invitations/{invitation.pk}/accept/").status_code == 403
    assert review.role_of(outsider) is None


def test_an_email_invitation_sends_a_link_an_existing_user_accepts(as_role, client, outsider,
                                                                   review):
    as_role("owner").post(URL, {"invitee": "otto@example.org", "role": "viewer"})
    link = mail.outbox[0].body.split("http://testserver")[1].split()[0]
    client.force_login(outsider)
    assert client.post(link).status_code == 302
    assert review.role_of(outsider) == "viewer"


def test_a_bad_invitee_keeps_the_typing_and_names_the_field(as_role):
    response = as_role("owner").post(URL, {"invitee": "not an@email", "role": "editor"})
    body = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_invitee_error"' in body and 'value="not an@email"' in body


def test_an_owner_changes_a_role(as_role, review, editor):
    as_role("owner").post(f"{URL}{editor.pk}/role/", {"role": "viewer"})
    assert review.role_of(editor) == "viewer"


def test_the_last_owner_can_neither_leave_nor_be_demoted(as_role, review, owner):
    client = as_role("owner")
    demoted = client.post(f"{URL}{owner.pk}/role/", {"role": "editor"}, follow=True)
    client.post(f"{URL}{owner.pk}/remove/")
    assert "at least one owner" in demoted.content.decode()
    assert review.role_of(owner) == "owner"


def test_an_owner_may_leave_once_another_owner_exists(as_role, review, owner, editor):
    client = as_role("owner")
    client.post(f"{URL}{editor.pk}/role/", {"role": "owner"})
    client.post(f"{URL}{owner.pk}/remove/")
    assert review.role_of(owner) is None and review.role_of(editor) == "owner"


def test_an_owner_cancels_a_pending_invitation(as_role):
    client = as_role("owner")
    client.post(URL, {"invitee": "someone@example.org", "role": "viewer"})
    invitation = Invitation.objects.get()
    client.post(f"{URL}invitations/{invitation.pk}/cancel/")
    link = mail.outbox[0].body.split("http://testserver")[1].split()[0]
    assert client.get(link).status_code == 404


def test_it_answers_404_when_the_member_was_removed_while_the_request_waited(review, editor):
    # A concurrent removal can commit between the view's lookup and the service's lock
    # (CI on PostgreSQL found the 500 this gave: Membership.DoesNotExist).
    Membership.objects.filter(review=review, user=editor).delete()

    with pytest.raises(Http404):
        remove_member(review=review, user_id=editor.pk)
    with pytest.raises(Http404):
        change_role(review=review, user_id=editor.pk, role="viewer")


def test_it_reads_a_role_in_one_query(review, editor, django_assert_num_queries):
    # A model instance from the related manager re-read its deferred review_id: a second
    # query, which raised DoesNotExist (a 500) when a concurrent removal landed between.
    with django_assert_num_queries(1):
        assert review.role_of(editor) == Membership.Role.EDITOR

"""Checklist items the review team marks not applicable, with their reason, in the browser."""

import pytest

from ichub.models import NotApplicableItem
from reports.checklists import checklist_markdown, checklist_rows
from reports.rameses import rameses_report
from reports.rameses_output import to_markdown
from tests.web.conftest import READ_STATUS, ROLES, WRITE_STATUS, post

pytestmark = pytest.mark.django_db

REASON = "A review of published papers: no participants, so no ethics approval to report."


def _url(review):
    return f"/reviews/{review.slug}/reports/checklist/"


def _mark(item, *, on=True, reason=REASON, version=0):
    data = {f"version-{item}": str(version), f"reason-{item}": reason}
    if on:
        data[f"na-{item}"] = "on"
    return data


@pytest.mark.parametrize("role", ROLES)
def test_it_lets_editors_mark_an_item_and_readers_only_read(client_for, review, role,
                                                           user_in_role):
    client = client_for(user_in_role(role))
    assert client.get(_url(review)).status_code == READ_STATUS[role]
    response = post(client, _url(review), _mark(19))
    expected = 302 if WRITE_STATUS[role] == 200 else WRITE_STATUS[role]
    assert response.status_code == expected
    if expected == 302 and role != "anonymous":
        mark = NotApplicableItem.objects.get(review=review)
        assert (mark.checklist, mark.item, mark.reason) == ("rameses-synthesis", 19, REASON)
        assert mark.history.get().history_user == user_in_role(role)
    else:
        assert not NotApplicableItem.objects.exists()


def test_it_shows_the_reason_in_the_checklist_downloads_and_the_report(client_for, review,
                                                                      editor, viewer):
    post(client_for(editor), _url(review), _mark(19))
    row = next(r for r in checklist_rows(review) if r[0] == 19)
    assert row[3:7] == ["not applicable", "Discussion › Funding", "", REASON]
    assert f"| 19 | Discussion | Funding | not applicable | Discussion › Funding |  | {REASON}" \
        in checklist_markdown(review)
    report = to_markdown(rameses_report(review))
    funding = report[report.index("Funding (RAMESES item 19)"):]
    assert f"Not applicable to this review. The review team's reason: {REASON}" in funding
    page = client_for(viewer).get(_url(review)).content.decode()
    assert f"Not applicable: {REASON}" in page


def test_it_refuses_a_mark_without_a_reason_and_keeps_the_typing(client_for, review, editor):
    client = client_for(editor)
    data = {**_mark(19, reason="  "), **_mark(18, reason="Typed by the editor.")}
    response = post(client, _url(review), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Say why the item does not apply to this review." in body
    assert "Typed by the editor." in body
    assert not NotApplicableItem.objects.exists()


def test_it_keeps_every_change_in_history_and_refuses_a_stale_edit(client_for, review, editor,
                                                                   owner):
    first, second = client_for(editor), client_for(owner)
    post(first, _url(review), _mark(19))
    mark = NotApplicableItem.objects.get()
    post(first, _url(review), _mark(19, reason="Funding is stated elsewhere.", version=1))
    # The owner opened the page before that edit (version 1) and now unmarks it: refused.
    response = post(second, _url(review), _mark(19, on=False, version=1))
    assert response.status_code == 412
    assert "Someone saved changes here" in response.content.decode()
    mark.refresh_from_db()
    assert (mark.version, mark.reason) == (2, "Funding is stated elsewhere.")
    post(second, _url(review), _mark(19, on=False, version=2))  # from the current version
    assert not NotApplicableItem.objects.exists()
    history = NotApplicableItem.history.filter(item=19).order_by("history_date")
    assert [(h.history_type, h.reason) for h in history] == [
        ("+", REASON),
        ("~", "Funding is stated elsewhere."),
        ("-", "Funding is stated elsewhere."),
    ]
    assert next(r for r in checklist_rows(review) if r[0] == 19)[3] == "no"


def test_it_refuses_an_item_the_checklist_does_not_have(client_for, review, editor):
    response = post(client_for(editor), _url(review), _mark(20))  # a synthesis has 19 items
    assert response.status_code == 400
    assert "has no item 20" in response.content.decode()
    assert not NotApplicableItem.objects.exists()


def test_it_carries_the_marks_through_the_whole_review_export(client_for, review, editor):
    from reports.transfer import export_review_text, import_review, parse_document

    post(client_for(editor), _url(review), _mark(19))
    text = export_review_text(review)
    assert '"not_applicable_items"' in text and REASON in text
    review.delete()
    import_review(document=parse_document(text.encode()), user=None)
    mark = NotApplicableItem.objects.get(review__slug="test-review")
    assert (mark.checklist, mark.item, mark.reason, mark.set_by) == (
        "rameses-synthesis", 19, REASON, editor
    )

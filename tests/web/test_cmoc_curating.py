"""Browser forms: evidence carried by refine/merge/split, split into N, delete, review lineage."""

import re

import pytest

from cmocs import services
from cmocs.models import CMOC, EvidenceLink, LineageEvent
from tests.web.conftest import READ_STATUS, ROLES, WRITE_STATUS, post, split_data

pytestmark = pytest.mark.django_db
WRITERS = ("owner", "editor", "staff")


def _url(review, cmoc, action):
    return f"/reviews/{review.slug}/cmocs/{cmoc.pk}/{action}/"


def _refine_data(cmoc, **extra):
    return {"code": cmoc.code, "stage": "refined", "statement": "Sharper",
            "context": cmoc.context.text, "rationale": "Two studies", **extra}


def test_it_lists_the_evidence_ticked_and_carries_only_what_stays_ticked(
    client_for, curated, review, owner
):
    cmoc = curated["cmocs"][1]
    kept, left = cmoc.evidence_links.order_by("id")
    client = client_for(owner)
    form = client.get(_url(review, cmoc, "refine")).content.decode()
    for link in (kept, left):  # every link offered, ticked by default
        assert re.search(rf'name="carry" value="{link.pk}"[^>]*checked', form)
    driving = kept.excerpt
    data = _refine_data(cmoc, carry=[kept.pk], offered=[kept.pk, left.pk], drove=[driving.pk])
    preview = post(client, _url(review, cmoc, "refine"), data).content.decode()
    assert "taking 1 evidence link" in preview and "evidence that drove it" in preview
    post(client, _url(review, cmoc, "refine"), {**data, "confirm": "yes"})
    new = CMOC.objects.get(stage="refined", code=cmoc.code)
    assert list(new.evidence_links.values_list("excerpt", flat=True)) == [kept.excerpt_id]
    assert cmoc.evidence_links.count() == 2  # links not carried stay on the superseded CMOC
    assert list(new.lineage_as_output.get(kind="refined").evidence.all()) == [driving]
    page = client.get(f"/reviews/{review.slug}/cmocs/{new.pk}/").content.decode()
    assert "Evidence that drove it: " in page


def test_it_carries_the_evidence_of_an_input_ticked_after_the_page_was_drawn(
    client_for, curated, review, owner
):
    first, second = curated["cmocs"][1], services.create_cmoc(
        review=review, user=owner, code="CMOC 3", statement="Three")
    services.link_evidence(cmoc=second, excerpt=curated["sources"][0].excerpts.get(),
                           user=owner, element="outcome")
    client = client_for(owner)
    form = client.get(f"/reviews/{review.slug}/cmocs/merge/?inputs={first.pk}").content.decode()
    offered = [int(pk) for pk in re.findall(r'name="offered" value="(\d+)"', form)]
    assert sorted(offered) == sorted(first.evidence_links.values_list("pk", flat=True))
    data = {"inputs": [first.pk, second.pk], "code": "CMOC 9", "stage": "refined",
            "statement": "Both", "rationale": "Same mechanism", "carry": offered,
            "offered": offered, "confirm": "yes"}
    assert post(client, f"/reviews/{review.slug}/cmocs/merge/", data).status_code == 302
    merged = CMOC.objects.get(code="CMOC 9")
    assert merged.evidence_links.count() == 3  # two from CMOC 2, one from CMOC 3


def test_it_adds_a_third_output_keeping_what_was_typed(client_for, curated, review, owner):
    cmoc = curated["cmocs"][1]
    data = {**split_data(cmoc, ("CMOC 7", "For senior leaders"), ("CMOC 8", "Typed text")),
            "rationale": "Three groups", "add_output": "yes"}
    page = post(client_for(owner), _url(review, cmoc, "split"), data).content.decode()
    assert "Typed text</textarea>" in page and "New CMOC 3" in page
    assert 'name="out-TOTAL_FORMS" value="3"' in page
    assert f"{cmoc.context.text}</textarea>" in page  # the new output starts as a copy
    assert not CMOC.objects.filter(code="CMOC 7").exists()


def test_it_splits_into_three_with_edited_elements_and_evidence_per_output(
    client_for, curated, review, owner
):
    cmoc = curated["cmocs"][1]
    links = list(cmoc.evidence_links.order_by("id").values_list("pk", flat=True))
    data = {**split_data(cmoc, ("CMOC 7", "a"), ("CMOC 8", "b"), ("CMOC 9", "c")),
            "out-0-context": "Senior leaders only", "out-0-carry": links[:1],
            "out-0-offered": links, "out-1-carry": [], "out-1-offered": links,
            "out-2-carry": links, "out-2-offered": links,
            "stage": "refined", "rationale": "Three groups", "confirm": "yes"}
    response = post(client_for(owner), _url(review, cmoc, "split"), data)
    assert response.status_code == 302
    a, b, c = (CMOC.objects.get(code=code, stage="refined")
               for code in ("CMOC 7", "CMOC 8", "CMOC 9"))
    assert a.context.text == "Senior leaders only" and b.context == cmoc.context
    assert [x.evidence_links.count() for x in (a, b, c)] == [1, 0, 2]
    assert cmoc.lineage_as_input.get(kind="split").outputs.count() == 3


@pytest.mark.parametrize("problem", ["same codes", "one output"])
def test_it_refuses_a_split_that_makes_fewer_than_two_distinct_cmocs(
    client_for, curated, review, owner, problem
):
    cmoc = curated["cmocs"][1]
    if problem == "same codes":
        data = split_data(cmoc, ("CMOC 7", "a"), ("CMOC 7", "b"))
    else:
        data = {**split_data(cmoc, ("CMOC 7", "a"), ("CMOC 8", "b")), "out-1-DELETE": "on"}
    response = post(client_for(owner), _url(review, cmoc, "split"),
                    {**data, "rationale": "r", "stage": "refined", "confirm": "yes"})
    page = response.content.decode()
    assert response.status_code == 200
    assert ("its own code" in page) if problem == "same codes" else ("at least 2" in page)
    assert not CMOC.objects.filter(code="CMOC 7").exists()


@pytest.mark.parametrize("role", ROLES)
def test_it_deletes_a_cmoc_without_lineage_only_for_editors(client_for, curated, review, role,
                                                            user_in_role):
    cmoc = curated["cmocs"][1]
    client = client_for(user_in_role(role))
    asked = client.get(_url(review, cmoc, "delete"))
    assert asked.status_code == WRITE_STATUS[role]
    response = post(client, _url(review, cmoc, "delete"), {"version": cmoc.version})
    if role in WRITERS:
        assert "Delete CMOC 2?" in asked.content.decode()
        assert response.status_code == 302 and response["Location"].endswith(
            f"/reviews/{review.slug}/")
        assert not CMOC.objects.filter(pk=cmoc.pk).exists()
    else:
        assert response.status_code == {"viewer": 403, "outsider": 404, "anonymous": 302}[role]
        assert CMOC.objects.filter(pk=cmoc.pk).exists()


def test_it_offers_delete_only_without_lineage_and_refuses_it_otherwise(client_for, curated,
                                                                       review, owner):
    client = client_for(owner)
    plain, superseded = curated["cmocs"][1], curated["cmocs"][0]
    assert "/delete/" in client.get(f"/reviews/{review.slug}/cmocs/{plain.pk}/").content.decode()
    detail = client.get(f"/reviews/{review.slug}/cmocs/{superseded.pk}/").content.decode()
    assert "/delete/" not in detail
    response = post(client, _url(review, superseded, "delete"), {"version": superseded.version})
    assert response.status_code == 409 and "drop it instead" in response.content.decode()
    assert CMOC.objects.filter(pk=superseded.pk).exists()


def test_it_refuses_to_delete_a_cmoc_changed_since_the_page_was_read(client_for, curated,
                                                                     review, owner):
    cmoc = curated["cmocs"][1]
    services.update_cmoc(cmoc=cmoc, user=owner, expected_version=1, statement="Changed")
    response = post(client_for(owner), _url(review, cmoc, "delete"), {"version": 1})
    assert response.status_code == 409 and "changed since" in response.content.decode()
    assert 'name="version" value="2"' in response.content.decode()
    assert CMOC.objects.filter(pk=cmoc.pk).exists()


@pytest.mark.parametrize("role", ROLES)
def test_it_shows_the_review_wide_lineage_to_readers(client, curated, review, role,
                                                     user_in_role):
    user = user_in_role(role)
    if user:
        client.force_login(user)
    response = client.get(f"/reviews/{review.slug}/cmocs/lineage/")
    assert response.status_code == READ_STATUS[role]
    svg = client.get(f"/reviews/{review.slug}/cmocs/lineage.svg")
    assert svg.status_code == READ_STATUS[role]
    if response.status_code == 200:
        page = response.content.decode()
        assert page.count('class="lineage-node') == CMOC.objects.filter(review=review).count()
        assert "Testing showed trust comes first." in page
        assert svg["Content-Type"].startswith("image/svg+xml")


def test_it_draws_the_lineage_readably_at_any_size(client, review, owner):
    """Text never below 12 px, the SVG is a group of links (not an image), the root marked."""
    cmoc = services.create_cmoc(review=review, user=owner, code="CMOC 1", statement="s")
    outputs = services.split_cmoc(
        cmoc=cmoc, user=owner, rationale="r",
        outputs=[{"code": f"CMOC 1.{i}", "statement": "x"} for i in range(12)])
    client.force_login(owner)
    page = client.get(f"/reviews/{review.slug}/cmocs/{outputs[3].pk}/").content.decode()
    sizes = [int(size) for size in re.findall(r'font-size="(\d+)"', page)]
    assert sizes and min(sizes) >= 12
    assert re.search(r'<svg [^>]*role="group"', page) and 'aria-current="page"' in page
    assert 'class="diagram lineage-diagram" role="region"' in page
    assert LineageEvent.objects.get(kind="split").outputs.count() == 12
    assert EvidenceLink.objects.count() == 0


@pytest.mark.parametrize("action", ["refine", "split"])
@pytest.mark.parametrize("role", ROLES)
def test_it_refines_and_splits_only_for_editors(client_for, curated, review, role, user_in_role,
                                                action):
    cmoc = curated["cmocs"][1]
    data = (_refine_data(cmoc, code="CMOC 7") if action == "refine"
            else {**split_data(cmoc, ("CMOC 7", "a"), ("CMOC 8", "b")), "stage": "refined",
                  "rationale": "r"})
    response = post(client_for(user_in_role(role)), _url(review, cmoc, action),
                    {**data, "confirm": "yes"})
    cmoc.refresh_from_db()
    if role in WRITERS:
        assert response.status_code == 302 and cmoc.status == "superseded"
        assert CMOC.objects.filter(code="CMOC 7", stage="refined").exists()
    else:
        assert response.status_code == {"viewer": 403, "outsider": 404, "anonymous": 302}[role]
        assert cmoc.status == "active" and not CMOC.objects.filter(code="CMOC 7").exists()

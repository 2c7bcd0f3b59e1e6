"""The screening and appraisal API: decisions, blinding, conflicts, agreement, permissions."""

import pytest

from evidence.models import Appraisal, ScreeningDecision, ScreeningResolution
from evidence.screening.services import record_decision

TA = "title_abstract"
DECISIONS = "/api/screening-decisions/"
APPRAISALS = "/api/appraisals/"


def conflicts_url(slug="test-review"):
    return f"/api/reviews/{slug}/conflicts/"


def agreement_url(slug="test-review"):
    return f"/api/reviews/{slug}/agreement/"


def make_conflict(editor, editor2, source, reason):
    record_decision(user=editor, source=source, stage=TA, decision="include")
    record_decision(
        user=editor2, source=source, stage=TA, decision="exclude", exclusion_reason=reason
    )


def test_it_records_and_revises_a_decision(token_client, editor, batch, reasons):
    client = token_client(editor)
    response = client.post(
        DECISIONS, {"review": "test-review", "source": batch[0].pk, "stage": TA,
                    "decision": "include", "note": "Mentions ICS boards"}, format="json"
    )
    assert response.status_code == 201, response.data
    assert response.data["reviewer"] == "eddie_editor"
    assert response.data["review"] == "test-review"
    response = client.post(
        DECISIONS, {"source": batch[0].pk, "stage": TA, "decision": "exclude",
                    "exclusion_reason": reasons[0].pk}, format="json"
    )
    assert response.status_code == 201
    assert response.data["exclusion_reason_label"] == "Not about system leaders"
    rows = list(ScreeningDecision.objects.order_by("id").values_list("decision", "is_current"))
    assert rows == [("include", False), ("exclude", True)]
    listed = client.get(DECISIONS, {"review": "test-review", "is_current": "true"}).data
    assert [d["decision"] for d in listed["results"]] == ["exclude"]


def test_it_refuses_bad_input_naming_the_field(token_client, editor, batch, reasons, other_review):
    client = token_client(editor)
    cases = [
        ({"source": batch[0].pk, "stage": "abstract", "decision": "include"}, "stage"),
        ({"source": batch[0].pk, "stage": TA, "decision": "perhaps"}, "decision"),
        ({"source": batch[0].pk, "stage": TA, "decision": "exclude"}, "exclusion_reason"),
        ({"source": 999999, "stage": TA, "decision": "include"}, "source"),
        ({"source": "x", "stage": TA, "decision": "include"}, "source"),
        ({"review": "other-review", "source": batch[0].pk, "stage": TA, "decision": "include"},
         "review"),
    ]
    for payload, field in cases:
        response = client.post(DECISIONS, payload, format="json")
        assert response.status_code == 400, (payload, response.data)
        assert field in response.data
    assert not ScreeningDecision.objects.exists()


def test_it_refuses_a_source_from_another_review_it_can_see(token_client, staff, batch, review):
    from evidence.models import SourceDocument
    from ichub.models import Review

    public = Review.objects.create(slug="public-one", title="Public", visibility="public")
    elsewhere = SourceDocument.objects.create(review=public, citation_key="z2020", title="Z")
    response = token_client(staff).post(
        DECISIONS, {"review": "test-review", "source": elsewhere.pk, "stage": TA,
                    "decision": "include"}, format="json"
    )
    assert response.status_code == 400
    assert "source" in response.data
    assert not ScreeningDecision.objects.exists()


def test_it_blinds_a_reviewer_until_they_have_decided(
    token_client, owner, editor, editor2, viewer, batch
):
    record_decision(user=editor, source=batch[0], stage=TA, decision="include")

    def visible_reviewers(user):
        data = token_client(user).get(DECISIONS, {"review": "test-review"}).data
        return sorted(d["reviewer"] for d in data["results"])

    assert visible_reviewers(editor2) == []
    assert visible_reviewers(viewer) == []
    assert visible_reviewers(owner) == ["eddie_editor"]
    hidden = ScreeningDecision.objects.get().pk
    assert token_client(editor2).get(f"{DECISIONS}{hidden}/").status_code == 404

    record_decision(user=editor2, source=batch[0], stage=TA, decision="maybe")
    assert visible_reviewers(editor2) == ["eddie_editor", "edna_editor"]
    # Once the required two have decided, the item is settled or in conflict: readable.
    assert visible_reviewers(viewer) == ["eddie_editor", "edna_editor"]


@pytest.mark.parametrize(
    ("who", "status"),
    [("owner", 201), ("editor", 201), ("staff", 201), ("viewer", 403), ("outsider", 400),
     (None, (401, 403))],
)
def test_it_lets_only_editors_screen(request, token_client, batch, other_review, who, status):
    user = request.getfixturevalue(who) if who else None
    response = token_client(user).post(
        DECISIONS, {"source": batch[0].pk, "stage": TA, "decision": "include"}, format="json"
    )
    expected = status if isinstance(status, tuple) else (status,)
    assert response.status_code in expected
    assert ScreeningDecision.objects.exists() == (response.status_code == 201)


@pytest.mark.parametrize("who", ["viewer", "outsider"])
def test_it_refuses_readers_and_strangers_on_a_review_they_can_read(
    request, token_client, batch, review, other_review, who
):
    """Moved from the service tests: services assume an authorised caller, the API checks."""
    review.visibility = review.Visibility.PUBLIC
    review.save()
    response = token_client(request.getfixturevalue(who)).post(
        DECISIONS, {"source": batch[0].pk, "stage": TA, "decision": "include"}, format="json"
    )
    assert response.status_code == 403
    assert not ScreeningDecision.objects.exists()
    response = token_client(request.getfixturevalue(who)).post(
        APPRAISALS, {"source": batch[0].pk, "criterion": "relevance", "judgement": "meets"},
        format="json",
    )
    assert response.status_code == 403
    assert not Appraisal.objects.exists()


@pytest.mark.parametrize(
    ("who", "visible"),
    [("owner", 1), ("editor", 1), ("viewer", 1), ("staff", 1), ("outsider", 0), (None, 0)],
)
def test_it_lists_decisions_only_to_readers(
    request, token_client, editor, editor2, batch, other_review, who, visible
):
    record_decision(user=editor, source=batch[0], stage=TA, decision="include")
    record_decision(user=editor2, source=batch[0], stage=TA, decision="include")
    user = request.getfixturevalue(who) if who else None
    response = token_client(user).get(DECISIONS)
    assert response.status_code == 200
    assert response.data["count"] == 2 * visible


@pytest.mark.parametrize(
    ("who", "status"),
    [("owner", 201), ("editor", 201), ("staff", 201), ("viewer", 403), ("outsider", 400),
     (None, (401, 403))],
)
def test_it_lets_only_editors_appraise(request, token_client, batch, other_review, who, status):
    user = request.getfixturevalue(who) if who else None
    response = token_client(user).post(
        APPRAISALS, {"source": batch[0].pk, "criterion": "relevance", "judgement": "meets",
                     "note": "Tests IRPT 2"}, format="json"
    )
    expected = status if isinstance(status, tuple) else (status,)
    assert response.status_code in expected
    assert Appraisal.objects.exists() == (response.status_code == 201)


def test_it_rerates_an_appraisal_in_place_and_keeps_history(token_client, editor, editor2, batch):
    client = token_client(editor)
    payload = {"source": batch[0].pk, "criterion": "richness", "judgement": "unclear"}
    first = client.post(APPRAISALS, payload, format="json")
    second = client.post(APPRAISALS, {**payload, "judgement": "meets"}, format="json")
    assert first.data["id"] == second.data["id"]
    appraisal = Appraisal.objects.get()
    assert appraisal.judgement == "meets"
    assert [h.judgement for h in appraisal.history.order_by("history_date")] == [
        "unclear", "meets"
    ]
    url = f"{APPRAISALS}{appraisal.pk}/"
    assert token_client(editor2).patch(url, {"judgement": "does_not_meet"}).status_code == 403
    response = client.patch(url, {"judgement": "does_not_meet", "note": "thin"}, format="json")
    assert response.status_code == 200
    appraisal.refresh_from_db()
    assert (appraisal.judgement, appraisal.note) == ("does_not_meet", "thin")
    bad = client.patch(url, {"criterion": "rigour"}, format="json")
    assert bad.status_code == 400 and "criterion" in bad.data


def test_it_rates_an_excerpt_of_the_source_only(token_client, editor, batch):
    from evidence.models import Excerpt

    mine = Excerpt.objects.create(source=batch[0], key="q1", text="Trust grew.")
    theirs = Excerpt.objects.create(source=batch[1], key="q1", text="Other.")
    client = token_client(editor)
    ok = client.post(APPRAISALS, {"source": batch[0].pk, "excerpt": mine.pk,
                                  "criterion": "rigour", "judgement": "meets"}, format="json")
    assert ok.status_code == 201
    bad = client.post(APPRAISALS, {"source": batch[0].pk, "excerpt": theirs.pk,
                                   "criterion": "rigour", "judgement": "meets"}, format="json")
    assert bad.status_code == 400 and "excerpt" in bad.data
    assert list(Appraisal.objects.values_list("excerpt", flat=True)) == [mine.pk]


@pytest.mark.parametrize(
    ("who", "status"),
    [("owner", 200), ("editor", 200), ("viewer", 200), ("staff", 200), ("outsider", 404),
     (None, 404)],
)
def test_it_lists_conflicts_and_agreement_to_readers(
    request, token_client, editor, editor2, batch, reasons, other_review, who, status
):
    make_conflict(editor, editor2, batch[0], reasons[0])
    user = request.getfixturevalue(who) if who else None
    client = token_client(user)
    response = client.get(conflicts_url())
    assert response.status_code == status
    agreement = client.get(agreement_url())
    assert agreement.status_code == status
    if status == 200:
        [conflict] = response.data["conflicts"]
        assert conflict["source"] == batch[0].pk
        assert sorted(d["decision"] for d in conflict["decisions"]) == ["exclude", "include"]
        ta = agreement.data["stages"][0]
        assert (ta["stage"], ta["n"], ta["raw_agreement"]) == (TA, 1, 0.0)


@pytest.mark.parametrize(
    ("who", "status"),
    [("owner", 201), ("editor3", 201), ("staff", 201), ("editor", 403), ("editor2", 403),
     ("viewer", 403), ("outsider", 404), (None, 404)],
)
def test_it_lets_owners_and_third_reviewers_resolve(
    request, token_client, editor, editor2, batch, reasons, other_review, who, status
):
    make_conflict(editor, editor2, batch[0], reasons[0])
    user = request.getfixturevalue(who) if who else None
    response = token_client(user).post(
        conflicts_url(), {"source": batch[0].pk, "stage": TA, "decision": "include",
                          "note": "Discussed: in scope"}, format="json"
    )
    assert response.status_code == status
    assert ScreeningResolution.objects.exists() == (status == 201)
    if status == 201:
        listed = token_client(user).get(conflicts_url(), {"resolved": "true"}).data
        assert listed["conflicts"][0]["resolution"]["note"] == "Discussed: in scope"
        assert token_client(user).get(conflicts_url()).data["conflicts"] == []


def test_it_refuses_bad_resolutions_naming_the_field(
    token_client, owner, editor, editor2, batch, reasons, other_review
):
    make_conflict(editor, editor2, batch[0], reasons[0])
    client = token_client(owner)
    cases = [
        ({"source": batch[0].pk, "stage": TA, "decision": "include"}, "note"),
        ({"source": batch[0].pk, "stage": TA, "decision": "include", "note": " "}, "note"),
        ({"source": batch[1].pk, "stage": TA, "decision": "include", "note": "x"}, "stage"),
        ({"source": 999999, "stage": TA, "decision": "include", "note": "x"}, "source"),
        ({"source": batch[0].pk, "stage": TA, "decision": "maybe", "note": "x"}, "decision"),
        ({"source": batch[0].pk, "stage": TA, "decision": "exclude", "note": "x"},
         "exclusion_reason"),
    ]
    for payload, field in cases:
        response = client.post(conflicts_url(), payload, format="json")
        assert response.status_code == 400, (payload, response.data)
        assert field in response.data
    assert client.get(conflicts_url(), {"stage": "nope"}).status_code == 400
    assert not ScreeningResolution.objects.exists()


def test_it_reads_decisions_in_a_fixed_number_of_queries(
    token_client, owner, editor, editor2, batch, django_assert_max_num_queries
):
    client = token_client(owner)
    record_decision(user=editor, source=batch[0], stage=TA, decision="include")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(DECISIONS)
    for source in batch:
        record_decision(user=editor2, source=source, stage=TA, decision="maybe")
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(DECISIONS).data["count"] == 11


@pytest.mark.parametrize(
    ("who", "visible"),
    [("owner", 2), ("editor", 2), ("viewer", 2), ("staff", 2), ("outsider", 0), (None, 0)],
)
def test_it_lists_the_reviews_exclusion_reasons_to_readers(
    request, token_client, reasons, other_review, who, visible
):
    user = request.getfixturevalue(who) if who else None
    client = token_client(user)
    response = client.get("/api/exclusion-reasons/", {"review": "test-review"})
    assert response.status_code == 200
    assert [r["label"] for r in response.data["results"]] == [
        "Not about system leaders", "Not empirical"
    ][:visible]
    assert client.post("/api/exclusion-reasons/", {"label": "x"}).status_code in (401, 403, 405)

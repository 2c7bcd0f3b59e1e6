"""The whole-review export carries the prioritisation setting and the ranking log (issue 19).

Rankings hold source ids inside JSON (their order, what they learnt from, their
reasons); the document writes them as citation keys, and a restore maps them to
the new database's ids, so the restored queue serves the same order.
"""

import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from evidence.models import PrioritisationSettings, Ranking, SourceDocument
from evidence.screening.prioritisation.services import first_ranked
from ichub.models import Review
from reports.transfer import TransferRefused, export_review_text, import_review, parse_document

pytestmark = pytest.mark.django_db

COPY = "copy-of-test-review"


def restore(text, user=None):
    return import_review(document=parse_document(text.encode()), user=user)


def as_copy(text):
    return text.replace('"test-review"', f'"{COPY}"', 1)


def ranking(review, reviewer, sources, *, status=Ranking.Status.READY, **fields):
    a, b, c, d = sources
    return Ranking.objects.create(
        review=review, reviewer=reviewer, status=status, model="tfidf-svm",
        settings={"c": 0.03, "exploration": 0.1}, seed=0,
        trained_on=[[a.pk, 1], [b.pk, 0]], n_included=1, n_excluded=1,
        order=[d.pk, c.pk], reasons={str(d.pk): [["leader", 0.25]]},
        likely_relevant_unseen=1, trained_at=timezone.now(), seconds=0.5, **fields,
    )


@pytest.fixture
def logged(review, owner, editor):
    """A review that prioritises, with a ranking per screener, a failed one and one training."""
    sources = [SourceDocument.objects.create(review=review, citation_key=key, title=title,
                                             year=2020)
               for key, title in (("a1", "Leaders"), ("b2", "Budgets"), ("c3", "Boards"),
                                  ("d4", "Leadership in ICS"))]
    PrioritisationSettings.objects.create(review=review, enabled=True, exploration_percent=10,
                                          exploration_mode="uncertain", version=3,
                                          updated_by=owner)
    ranking(review, owner, sources, first_served_at=timezone.now())
    ranking(review, editor, sources)
    ranking(review, editor, sources, status=Ranking.Status.FAILED, error="boom")
    ranking(review, owner, sources, status=Ranking.Status.TRAINING)
    return sources


def test_it_writes_the_log_with_citation_keys_and_restores_the_same_order(review, owner,
                                                                          logged):
    text = as_copy(export_review_text(review))
    sections = json.loads(text)["sections"]
    assert sections["prioritisation"][0]["exploration_mode"] == "uncertain"
    rankings = sections["rankings"]
    assert sorted(r["status"] for r in rankings) == ["failed", "ready", "ready"]  # not training
    assert {json.dumps(r["trained_on"]) for r in rankings} == {'[["a1", 1], ["b2", 0]]'}
    assert {tuple(r["order"]) for r in rankings} == {("d4", "c3")}
    assert rankings[0]["reasons"] == {"d4": [["leader", 0.25]]}

    report = restore(text)

    copy = Review.objects.get(slug=COPY)
    assert report.created["rankings"] == 3 and report.skipped == []
    assert export_review_text(copy) == text
    settings = PrioritisationSettings.objects.get(review=copy)
    assert (settings.enabled, settings.exploration_percent, settings.version,
            settings.updated_by) == (True, 10, 3, owner)
    assert settings.history.count() == 1
    new = dict(SourceDocument.objects.filter(review=copy).values_list("citation_key", "pk"))
    served = Ranking.objects.get(review=copy, reviewer=owner)
    assert served.order == [new["d4"], new["c3"]] and served.first_served_at is not None
    assert served.reasons == {str(new["d4"]): [["leader", 0.25]]}
    first, info = first_ranked(copy, owner, min(new.values()))
    assert first == new["d4"]
    assert info.ranking == served and info.reason == [["leader", 0.25]] and not info.training


def test_it_restores_an_export_written_before_the_log(review, logged):
    document = json.loads(as_copy(export_review_text(review)))
    del document["sections"]["prioritisation"], document["sections"]["rankings"]

    report = restore(json.dumps(document))

    copy = Review.objects.get(slug=COPY)
    assert report.created["rankings"] == report.created["prioritisation"] == 0
    assert not PrioritisationSettings.for_review(copy).enabled
    assert not Ranking.objects.filter(review=copy).exists()


@pytest.mark.parametrize(
    ("reader", "reviewers"),
    [("owner", ["eddie_editor", "eddie_editor", "olivia_owner"]),
     ("editor", ["eddie_editor", "eddie_editor"]), ("viewer", []), ("anonymous", [])],
)
def test_it_exports_only_the_rankings_the_reader_may_see_in_the_log(request, review, logged,
                                                                    reader, reviewers):
    user = AnonymousUser() if reader == "anonymous" else request.getfixturevalue(reader)
    rankings = json.loads(export_review_text(review, reader=user))["sections"]["rankings"]
    assert sorted(r["reviewer"] for r in rankings) == reviewers


def test_it_restores_only_the_importers_own_rankings_over_the_api(review, editor, logged):
    report = restore(as_copy(export_review_text(review)), user=editor)

    copy = Review.objects.get(slug=COPY)
    assert set(Ranking.objects.filter(review=copy).values_list("reviewer", flat=True)) == {
        editor.pk}
    assert report.created["rankings"] == 2
    assert [s["reason"][:24] for s in report.skipped if s["section"] == "rankings"] == [
        "screened by someone else"]
    assert PrioritisationSettings.objects.get(review=copy).updated_by == editor


def _edited(review, change):
    document = json.loads(as_copy(export_review_text(review)))
    change(document["sections"])
    return json.dumps(document)


@pytest.mark.parametrize(
    ("change", "message"),
    [(lambda s: s["rankings"][0]["order"].append("zz9"), "'zz9', which is not in this review"),
     (lambda s: s["rankings"][0].update(trained_on={"a1": 1}), "is not a JSON list"),
     (lambda s: s["rankings"][0].update(trained_on=[["a1"]]), "[source, value] pairs"),
     (lambda s: s["rankings"][0].update(error="a\x00b"), "NUL"),
     (lambda s: s["rankings"][0]["reasons"]["d4"].append(["x\x00", 1]), "NUL"),
     (lambda s: s["prioritisation"][0].update(exploration_percent=90), "50"),
     (lambda s: s["prioritisation"][0].update(exploration_mode="psychic"), "psychic")],
)
def test_it_refuses_a_broken_log_and_writes_nothing(review, logged, change, message):
    with pytest.raises(TransferRefused) as refused:
        restore(_edited(review, change))

    assert refused.value.status == 400 and message in refused.value.message
    assert not Review.objects.filter(slug=COPY).exists()


def test_it_skips_a_ranking_still_training(review, logged):
    text = _edited(review, lambda s: s["rankings"][0].update(status="training"))

    report = restore(text)

    assert report.created["rankings"] == 2
    assert [s["reason"] for s in report.skipped] == ["a ranking still training is not part "
                                                     "of the log"]
    assert not Ranking.objects.filter(review__slug=COPY, status="training").exists()

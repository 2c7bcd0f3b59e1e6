"""The screening pages: queue, conflicts, overview, appraisal — what they show and who may act."""

import pytest
from django.urls import reverse

from evidence.models import Appraisal, ScreeningDecision, ScreeningProtocol, ScreeningResolution
from evidence.screening.services import record_decision
from tests.conftest import ICS_SLUG

TA = "title_abstract"


def queue_url(slug="test-review", stage=TA):
    return reverse("screening:queue", args=[slug, stage])


def conflicts_url(slug="test-review"):
    return reverse("screening:conflicts", args=[slug])


def as_user(client, user):
    if user is not None:
        client.force_login(user)
    return client


def test_it_shows_the_next_source_with_keywords_and_progress(client, editor, batch, reasons):
    ScreeningProtocol.objects.create(review=batch[0].review, keywords="system leadership, trust")
    page = as_user(client, editor).get(queue_url())
    html = page.content.decode()
    assert page.status_code == 200
    assert "10 of 10 left for you" in html
    assert batch[0].title in html
    assert "<mark>system leadership</mark> and <mark>trust</mark>" in html
    assert "Not about system leaders" in html

    response = client.post(queue_url(), {"source": batch[0].pk, "decision": "include"})
    assert response.status_code == 302
    assert ScreeningDecision.objects.get().reviewer == editor
    html = client.get(queue_url()).content.decode()
    assert "9 of 10 left for you" in html
    assert batch[1].title in html


def test_it_refuses_an_exclusion_without_a_reason(client, editor, batch, reasons):
    response = as_user(client, editor).post(
        queue_url(), {"source": batch[0].pk, "decision": "exclude"}
    )
    assert response.status_code == 400
    assert "exclusion_reason" in response.content.decode()
    assert not ScreeningDecision.objects.exists()


def test_it_refuses_a_source_of_another_review(client, editor, batch, other_review):
    from evidence.models import SourceDocument

    foreign = SourceDocument.objects.create(review=other_review, citation_key="f2020", title="F")
    response = as_user(client, editor).post(
        queue_url(), {"source": foreign.pk, "decision": "include"}
    )
    assert response.status_code == 400
    assert not ScreeningDecision.objects.exists()


def test_it_blinds_the_page_until_the_reviewer_has_decided(client, owner, editor, editor2, batch):
    record_decision(user=editor, source=batch[0], stage=TA, decision="maybe", note="unsure")
    url = f"{queue_url()}?source={batch[0].pk}"
    html = as_user(client, editor2).get(url).content.decode()
    assert "eddie_editor" not in html and "unsure" not in html
    client.post(queue_url(), {"source": batch[0].pk, "decision": "include"})
    html = client.get(url).content.decode()
    assert "eddie_editor" in html and "unsure" in html
    client.logout()
    record_decision(user=editor, source=batch[1], stage=TA, decision="maybe", note="hmm")
    owner_html = as_user(client, owner).get(f"{queue_url()}?source={batch[1].pk}").content
    assert b"eddie_editor" in owner_html


@pytest.mark.parametrize(
    ("who", "status"),
    [("owner", 200), ("editor", 200), ("viewer", 200), ("staff", 200), ("outsider", 404),
     (None, 404)],
)
@pytest.mark.parametrize("name", ["overview", "conflicts", "appraisals", "queue"])
def test_it_shows_screening_pages_to_readers_only(
    request, client, batch, other_review, who, status, name
):
    user = request.getfixturevalue(who) if who else None
    args = ["test-review", TA] if name == "queue" else ["test-review"]
    response = as_user(client, user).get(reverse(f"screening:{name}", args=args))
    assert response.status_code == status
    if who == "viewer":
        assert b'name="decision"' not in response.content


@pytest.mark.parametrize(
    ("who", "status"),
    [("owner", 302), ("editor", 302), ("staff", 302), ("viewer", 403), ("outsider", 404)],
)
def test_it_lets_only_editors_screen_in_the_browser(
    request, client, batch, other_review, who, status
):
    user = request.getfixturevalue(who)
    response = as_user(client, user).post(queue_url(), {"source": batch[0].pk, "decision": "maybe"})
    assert response.status_code == status
    assert ScreeningDecision.objects.exists() == (status == 302)


def test_it_sends_anonymous_writers_to_log_in(client, batch):
    response = client.post(queue_url(), {"source": batch[0].pk, "decision": "maybe"})
    assert response.status_code == 302
    assert reverse("login") in response["Location"]
    assert not ScreeningDecision.objects.exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [("owner", 302), ("editor3", 302), ("staff", 302), ("editor", 403), ("viewer", 403),
     ("outsider", 404)],
)
def test_it_lists_and_resolves_conflicts(
    request, client, editor, editor2, batch, reasons, other_review, who, status
):
    record_decision(user=editor, source=batch[0], stage=TA, decision="include")
    record_decision(
        user=editor2, source=batch[0], stage=TA, decision="exclude", exclusion_reason=reasons[0]
    )
    user = request.getfixturevalue(who)
    as_user(client, user)
    if status != 404:
        html = client.get(conflicts_url()).content.decode()
        assert "Open (1)" in html and batch[0].short_citation in html
        assert ("resolve-form" in html) == (status == 302)
    response = client.post(conflicts_url(), {
        "source": batch[0].pk, "stage": TA, "decision": "include", "note": "In scope after all",
    })
    assert response.status_code == status
    assert ScreeningResolution.objects.exists() == (status == 302)
    if status == 302:
        html = client.get(conflicts_url()).content.decode()
        assert "Open (0)" in html and "In scope after all" in html


def test_it_refuses_a_resolution_without_a_note(client, owner, editor, editor2, batch):
    record_decision(user=editor, source=batch[0], stage=TA, decision="include")
    record_decision(user=editor2, source=batch[0], stage=TA, decision="maybe")
    response = as_user(client, owner).post(
        conflicts_url(), {"source": batch[0].pk, "stage": TA, "decision": "include", "note": ""}
    )
    assert response.status_code == 400
    assert not ScreeningResolution.objects.exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [("owner", 302), ("editor", 302), ("staff", 302), ("viewer", 403), ("outsider", 404)],
)
def test_it_lets_only_editors_appraise_in_the_browser(
    request, client, batch, other_review, who, status
):
    url = reverse("screening:appraise", args=["test-review", batch[0].pk])
    user = request.getfixturevalue(who)
    if status != 404:
        assert as_user(client, user).get(url).status_code == 200
    response = as_user(client, user).post(
        url, {"criterion": "relevance", "judgement": "does_not_meet", "note": "Off topic"}
    )
    assert response.status_code == status
    assert Appraisal.objects.exists() == (status == 302)
    if status == 302:
        assert "Excluded for relevance" in client.get(url).content.decode()


def test_it_reads_the_shipped_reviews_appraisal_exclusions(client, shipped):
    html = client.get(reverse("screening:appraisals", args=[ICS_SLUG])).content.decode()
    assert html.count("Excluded for relevance") == 1
    assert html.count("Excluded for richness") == 3
    assert html.count('class="verdict-included"') == 18
    for name in ("Alonso and Andrews (2022)", "Elliott et al. (2020)",
                 "Martin and Knowles (2019)", "Robert et al. (2022)"):
        assert name in html


def test_it_reads_the_appraisal_list_in_a_fixed_number_of_queries(
    client, shipped, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        assert client.get(reverse("screening:appraisals", args=[ICS_SLUG])).status_code == 200


def test_it_puts_agreement_and_the_queue_link_on_the_dashboard(
    client, owner, editor, editor2, batch
):
    for source, second in zip(batch[:4], ["include", "include", "exclude", "maybe"], strict=True):
        record_decision(user=editor, source=source, stage=TA, decision="include")
        record_decision(user=editor2, source=source, stage=TA, decision=second,
                        exclusion_reason=None)
    html = as_user(client, owner).get(reverse("hub:dashboard", args=["test-review"])).content
    html = html.decode()
    assert reverse("screening:overview", args=["test-review"]) in html
    assert "Screening agreement" in html
    assert "eddie_editor and edna_editor" in html
    assert "50%" in html


@pytest.mark.parametrize(
    ("who", "status"),
    [("owner", 302), ("staff", 302), ("editor", 403), ("viewer", 403), ("outsider", 404)],
)
def test_it_lets_only_owners_set_the_screening_rules(
    request, client, review, other_review, who, status
):
    from evidence.models import ExclusionReason

    url = reverse("screening:protocol", args=["test-review"])
    user = request.getfixturevalue(who)
    as_user(client, user)
    assert client.get(url).status_code == (200 if status == 302 else status)
    response = client.post(url, {
        "required_reviewers": "3", "keywords": "trust, system leadership",
        "reasons": "Not about ICS leaders\nNot empirical\n\nNot about ICS leaders",
    })
    assert response.status_code == status
    saved = ScreeningProtocol.objects.filter(review=review).first()
    if status == 302:
        assert (saved.required_reviewers, saved.keyword_list()) == (
            3, ["trust", "system leadership"]
        )
        assert list(review.exclusion_reasons.values_list("label", "order")) == [
            ("Not about ICS leaders", 1), ("Not empirical", 2)
        ]
    else:
        assert saved is None and not ExclusionReason.objects.exists()


def test_it_sends_anonymous_visitors_of_the_settings_to_log_in(client, review):
    response = client.get(reverse("screening:protocol", args=["test-review"]))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_it_keeps_a_reason_that_decisions_cite(client, owner, editor, batch, reasons):
    record_decision(
        user=editor, source=batch[0], stage=TA, decision="exclude", exclusion_reason=reasons[0]
    )
    response = as_user(client, owner).post(
        reverse("screening:protocol", args=["test-review"]),
        {"required_reviewers": "2", "keywords": "", "reasons": "Something else"},
    )
    assert response.status_code == 400
    assert "Not about system leaders" in response.content.decode()
    assert sorted(batch[0].review.exclusion_reasons.values_list("label", flat=True)) == [
        "Not about system leaders", "Not empirical"
    ]
    bad = client.post(reverse("screening:protocol", args=["test-review"]),
                      {"required_reviewers": "0", "reasons": ""})
    assert bad.status_code == 400
    assert not ScreeningProtocol.objects.exists()


def test_it_shows_recorded_and_live_counts_on_the_overview(client, viewer, editor, editor2, batch):
    from evidence.models import ScreeningCount, SearchRecord

    review = batch[0].review
    ScreeningCount.objects.create(review=review, stage=TA, count=50)
    SearchRecord.objects.create(review=review, kind="purposive", label="Policy papers",
                                records_found=4)
    record_decision(user=editor, source=batch[0], stage=TA, decision="include")
    record_decision(user=editor2, source=batch[0], stage=TA, decision="maybe")
    html = as_user(client, viewer).get(reverse("screening:overview", args=["test-review"]))
    html = html.content.decode()
    assert "51 <span class=\"muted\">(recorded + ichub)</span>" in html
    assert "1 (0 / 0 / 1 / 0)" in html
    assert "Purposive search: Policy papers — 4 records" in html
    assert "Conflicts</a>: 1 open" in html


def test_it_updates_the_dashboard_flow_as_reviewers_decide(client, viewer, editor, editor2, batch):
    import re

    from evidence.models import ScreeningCount

    ScreeningCount.objects.create(review=batch[0].review, stage=TA, count=100)
    url = reverse("hub:dashboard", args=["test-review"])
    row = re.compile(r"Screened by title and abstract</th>\s*<td>(\d+)")
    assert row.search(as_user(client, viewer).get(url).content.decode()).group(1) == "100"
    for source in batch[:3]:
        record_decision(user=editor, source=source, stage=TA, decision="include")
        record_decision(user=editor2, source=source, stage=TA, decision="include")
    assert row.search(client.get(url).content.decode()).group(1) == "103"

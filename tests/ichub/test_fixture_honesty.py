"""What the shipped 2024 review presents as the paper's is the paper's; ichub's readings say so.

Issue 18's audit: the merge is one set-level event whose pairing the paper does not
report; ichub's inferences are a separate layer readers switch on; links and theme
assignments say whose reading they are; the method is held in the paper's own words,
compared here against the seed text; shipped rows have a baseline history.
"""

import pytest
from django.core.exceptions import ValidationError

from cmocs.models import CMOC, EvidenceLink, LineageEvent, Provenance
from ichub.models import MethodStatement
from tests.conftest import ICS_SLUG
from tests.seeds import PAPER_2024, seed_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def shipped(shipped_module):
    return shipped_module


def _cmoc(stage, n):
    return CMOC.objects.get_by_natural_key(ICS_SLUG, stage, f"CMOC {n}")


def test_it_quotes_the_papers_method_verbatim_and_marks_it_quoted(shipped):
    paper = seed_text(PAPER_2024)
    statements = list(MethodStatement.objects.filter(review=shipped))
    assert {s.aspect for s in statements} == {
        "abstract", "rationale", "realist_rationale", "changes", "scoping", "search",
        "selection_appraisal", "data_extraction", "analysis_synthesis", "ethics", "summary",
        "strengths_limitations", "comparison", "conclusions",
    }
    for statement in statements:
        assert statement.quoted and statement.location, statement
        assert statement.text in paper, statement.text[:80]
    by_aspect = {s.aspect: s.text for s in statements if s.order == 0}
    assert "targets literature post-2017" in by_aspect["search"]
    assert by_aspect["ethics"] == (
        "Ethical review and approval were obtained via the authors’ own institutional protocols."
    )
    caveat = MethodStatement.objects.get(review=shipped, aspect="strengths_limitations", order=1)
    assert "in most cases the opposite is likely to apply" in caveat.text


def test_it_keeps_the_papers_words_apart_from_ichubs_gap_notes(shipped):
    for statement in MethodStatement.objects.filter(review=shipped):
        if len(statement.text) > 60:  # the notes may name Figure 1 by its title
            assert statement.text not in shipped.notes
    assert "Funding and conflicts of interest: the text held states neither" in shipped.notes
    assert not MethodStatement.objects.filter(review=shipped, aspect="funding").exists()


def test_it_loads_a_baseline_history_record_for_every_shipped_row(shipped):
    cmoc = _cmoc("refined", 5)
    assert [h.history_type for h in cmoc.history.all()] == ["+"]
    cmoc.notes = "Curated."
    cmoc.save()
    latest = cmoc.history.first()
    assert latest.diff_against(latest.prev_record).changed_fields == ["notes"]
    link = EvidenceLink.objects.filter(cmoc=cmoc).first()
    assert link.history.count() == 1
    statement = MethodStatement.objects.filter(review=shipped).first()
    assert statement.history.get().history_change_reason == "Loaded from the shipped fixtures"


def test_it_narrows_links_whose_sentence_covers_only_the_resource_and_the_outcome(shipped):
    links = EvidenceLink.objects.filter(cmoc=_cmoc("refined", 1))
    assert set(links.values_list("element", flat=True)) == {"mechanism_resource", "outcome"}
    assert links.count() == 20  # ten studies, each for the resource and for the outcome
    macleod = EvidenceLink.objects.filter(
        cmoc=_cmoc("refined", 6), excerpt__source__citation_key="macleod2019"
    )
    assert set(macleod.values_list("element", flat=True)) == {"mechanism_resource", "outcome"}


def test_it_ends_no_excerpt_in_a_doubled_full_stop(shipped):
    for link in EvidenceLink.objects.filter(cmoc=_cmoc("refined", 5)).select_related("excerpt"):
        assert ".”." not in link.excerpt.text and ".." not in link.excerpt.text
    paper = seed_text(PAPER_2024)
    assert "support leaders in using intelligence to target interventions." in paper


def test_it_marks_every_reported_link_of_the_2024_review_as_reported(shipped):
    links = EvidenceLink.objects.filter(cmoc__review=shipped, excerpt__source__review=shipped)
    assert set(links.values_list("provenance", flat=True)) == {Provenance.REPORTED}


def test_it_refuses_a_projects_reading_that_does_not_explain_itself(shipped):
    link = EvidenceLink.objects.filter(cmoc__review=shipped).first()
    link.provenance = Provenance.PROJECT_READING
    with pytest.raises(ValidationError, match="must explain that reading"):
        link.full_clean()
    link.reading = "Read so because the excerpt names the resource."
    link.full_clean()


def test_it_accepts_many_outputs_only_for_an_event_reported_as_a_set():
    assert LineageEvent.shape_errors("merged", 4, 6) == [
        "A merged event produces 1 output CMOC(s), not 6."
    ]
    assert LineageEvent.shape_errors("merged", 4, 6, "unreported_pairing") == []
    assert LineageEvent.shape_errors("merged", 1, 6, "unreported_pairing") == [
        "A merged event takes at least 2 input CMOC(s), not 1."
    ]


def test_it_hides_an_initial_cmocs_theme_reading_until_asked(shipped, client):
    cmoc = _cmoc("initial", 2)
    url = f"/reviews/{ICS_SLUG}/cmocs/{cmoc.pk}/"
    page = client.get(url).content.decode()
    assert "not reported by the review" in page and "show ichub's reading" in page
    assert "Programme theory: <a" not in page
    page = client.get(url + "?inferred=1").content.decode()
    assert "ichub's reading, not the review's" in page
    assert "Why ichub reads it so" in page


def test_it_draws_the_merge_as_a_set_box_and_hides_inferred_arrows(shipped, client):
    cmoc = _cmoc("initial", 1)
    svg = client.get(f"/reviews/{ICS_SLUG}/cmocs/{cmoc.pk}/lineage.svg").content.decode()
    assert svg.count("SET, PAIRING NOT REPORTED") == 2  # the refine set and the merge set
    assert 'class="set-box"' in svg and "INFERRED" not in svg
    svg = client.get(
        f"/reviews/{ICS_SLUG}/cmocs/{cmoc.pk}/lineage.svg?inferred=1"
    ).content.decode()
    assert "REFINED · INFERRED" in svg and 'class="inferred"' in svg


def test_it_shows_provenance_and_certainty_in_the_api(shipped, token_client, viewer):
    api = token_client(viewer)
    cmoc = _cmoc("initial", 4)
    body = api.get(f"/api/cmocs/{cmoc.pk}/").json()
    assert body["theory_provenance"] == "project_reading"
    assert "ichub's reading" in body["theory_reading"]
    lineage = api.get(f"/api/cmocs/{cmoc.pk}/lineage/").json()
    certainties = {event["key"]: event["certainty"] for event in lineage["events"]}
    assert certainties["merge-initial-cmocs-2-4-5-9"] == "unreported_pairing"
    links = api.get(f"/api/evidence-links/?cmoc={_cmoc('refined', 6).pk}").json()["results"]
    provenances = {link["provenance"] for link in links}
    assert "project_reading" in provenances and "reported" in provenances


def test_it_exports_the_method_statements_and_the_certainty(shipped, client):
    response = client.get(f"/reviews/{ICS_SLUG}/reports/export.json")
    document = b"".join(response.streaming_content).decode()
    assert '"method_statements"' in document
    assert '"unreported_pairing"' in document and '"theory_provenance"' in document


def test_it_takes_a_projects_reading_through_the_api_only_with_its_explanation(
    shipped, token_client, editor
):
    from ichub.models import Membership

    Membership.objects.create(review=shipped, user=editor, role=Membership.Role.EDITOR)
    api = token_client(editor)
    cmoc = _cmoc("refined", 4)
    excerpt = EvidenceLink.objects.filter(cmoc=_cmoc("refined", 6)).first().excerpt
    payload = {"cmoc": cmoc.pk, "excerpt": excerpt.pk, "element": "context",
               "stance": "refines", "provenance": "project_reading"}
    refused = api.post("/api/evidence-links/", payload, format="json")
    assert refused.status_code == 400
    assert "must explain that reading" in refused.content.decode()
    assert not EvidenceLink.objects.filter(cmoc=cmoc, element="context",
                                           excerpt=excerpt).exists()
    payload["reading"] = "The excerpt describes the setting the CMOC's context names."
    created = api.post("/api/evidence-links/", payload, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["provenance"] == "project_reading"


def test_it_lists_initial_cmocs_under_a_theme_only_as_ichubs_reading(shipped, client):
    from programme_theories.models import ProgrammeTheory

    theory = ProgrammeTheory.objects.get_by_natural_key(ICS_SLUG, "initial_rough", "Being")
    url = f"/reviews/{ICS_SLUG}/theories/{theory.pk}/"
    page = client.get(url).content.decode()
    assert "2 CMOCs are placed under this theory only by ichub's reading" in page
    assert "CMOC 1 (initial)" not in page
    page = client.get(url + "?inferred=1").content.decode()
    assert "CMOC 1 (initial)" in page and "ichub's reading, not the review's" in page

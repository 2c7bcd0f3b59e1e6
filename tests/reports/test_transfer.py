"""Whole-review export and restore: natural keys, byte-identical round trip, refusals."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cmocs.models import CMOC, EvidenceLink, LineageEvent
from evidence.models import (
    Appraisal,
    Excerpt,
    ExclusionReason,
    ScreeningDecision,
    ScreeningProtocol,
    ScreeningResolution,
    SearchRecord,
    SourceDocument,
)
from ichub.models import Review
from reports.transfer import (
    TransferRefused,
    export_review_text,
    import_review,
    load,
    parse_document,
)
from tests.conftest import CASE_STUDY_SLUG, ICS_SLUG

SCIE_SLUG = "scie-2018-leadership-in-integrated-care-systems"


def delete_review(review):
    """PROTECTed rows go first (CMOCs hold their elements; a screening decision the one
    it supersedes and its exclusion reason); everything else cascades."""
    CMOC.objects.filter(review=review).delete()
    ScreeningResolution.objects.filter(source__review=review).delete()
    decisions = ScreeningDecision.objects.filter(source__review=review)
    while decisions.exists():
        decisions.filter(superseded_by__isnull=True).delete()
    review.delete()


def restore(text, user=None):
    return import_review(document=parse_document(text.encode()), user=user)


def test_it_exports_the_shipped_review_by_natural_keys(shipped):
    text = export_review_text(shipped)
    document = json.loads(text)

    sections = document["sections"]
    assert document["review"]["slug"] == ICS_SLUG
    assert len([c for c in sections["cmocs"] if c["stage"] == "refined"]) == 6
    assert len([c for c in sections["cmocs"] if c["stage"] == "initial"]) == 9
    counts = {row["stage"]: row["count"] for row in sections["screening_counts"]}
    assert [counts[s] for s in ("title_abstract", "full_text", "rigour")] == [5716, 99, 18]
    assert len([s for s in sections["sources"] if s["inclusion_status"] == "included"]) >= 18
    assert sections["lineage_events"] and sections["evidence_links"]
    cmoc_1 = next(c for c in sections["cmocs"] if (c["stage"], c["code"]) == ("refined", "CMOC 1"))
    assert isinstance(cmoc_1["theory"], list) and cmoc_1["theory"][0] == "refined"
    # No database ids anywhere: no "id"/"pk" keys, references are natural keys.
    assert '"id"' not in text and '"pk"' not in text
    case_study_link = next(
        link for link in sections["evidence_links"] if link["excerpt"][0] == CASE_STUDY_SLUG
    )
    assert case_study_link["cmoc"][0] == ICS_SLUG


def test_it_restores_the_shipped_review_byte_identically(shipped):
    first = export_review_text(shipped)
    counts = {
        "cmocs": CMOC.objects.filter(review=shipped).count(),
        "links": EvidenceLink.objects.filter(cmoc__review=shipped).count(),
        "events": LineageEvent.objects.filter(review=shipped).count(),
        "excerpts": Excerpt.objects.filter(source__review=shipped).count(),
    }
    delete_review(shipped)
    assert not Review.objects.filter(slug=ICS_SLUG).exists()

    report = restore(first)

    restored = Review.objects.get(slug=ICS_SLUG)
    assert export_review_text(restored) == first
    assert report.skipped == [] and report.blanked == []
    assert counts == {
        "cmocs": CMOC.objects.filter(review=restored).count(),
        "links": EvidenceLink.objects.filter(cmoc__review=restored).count(),
        "events": LineageEvent.objects.filter(review=restored).count(),
        "excerpts": Excerpt.objects.filter(source__review=restored).count(),
    }
    merged = LineageEvent.objects.filter(review=restored, kind="merged").first()
    assert merged is None or merged.inputs.count() >= 2
    assert restored.tested_by.filter(slug=CASE_STUDY_SLUG).exists()
    assert CMOC.history.filter(review=restored).count() >= counts["cmocs"]


def test_it_restores_the_case_study_with_its_links_to_the_tested_review(shipped):
    case_study = Review.objects.get(slug=CASE_STUDY_SLUG)
    first = export_review_text(case_study)
    links = EvidenceLink.objects.filter(excerpt__source__review=case_study).count()
    delete_review(case_study)
    assert links == 4  # the project's readings of the abstract (issue 18 removed two)
    assert not EvidenceLink.objects.filter(excerpt__source__review__slug=CASE_STUDY_SLUG).exists()

    restore(first)

    restored = Review.objects.get(slug=CASE_STUDY_SLUG)
    assert list(restored.tests_theories_of.values_list("slug", flat=True)) == [ICS_SLUG]
    assert EvidenceLink.objects.filter(excerpt__source__review=restored).count() == links
    assert export_review_text(restored) == first


def test_it_skips_links_to_a_missing_review_and_reports_them(shipped):
    case_study = Review.objects.get(slug=CASE_STUDY_SLUG)
    text = export_review_text(case_study)
    delete_review(case_study)
    delete_review(shipped)

    report = restore(text)

    assert {s["reason"] for s in report.skipped} == {
        "tested review not here or not yours",
        "no cmoc here, or not yours to link",
    }
    restored = Review.objects.get(slug=CASE_STUDY_SLUG)
    assert restored.tests_theories_of.count() == 0
    assert Excerpt.objects.filter(source__review=restored).count() == 11
    assert EvidenceLink.objects.count() == 0


def test_it_refuses_an_existing_slug_and_changes_nothing(shipped):
    text = export_review_text(shipped)
    before = SourceDocument.objects.count()

    with pytest.raises(TransferRefused) as refusal:
        restore(text)

    assert refusal.value.status == 409
    assert SourceDocument.objects.count() == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not json", "not JSON"),
        (b'{"format": "something-else"}', "not an ichub review export"),
        (b'{"format": "ichub-review", "version": 99}', "not supported"),
    ],
)
def test_it_refuses_documents_that_are_not_exports(db, data, message):
    with pytest.raises(TransferRefused, match=message):
        parse_document(data)


def test_it_refuses_a_corrupt_document_without_a_partial_write(review):
    document = json.loads(export_review_text(review))
    document["review"]["slug"] = "restored-copy"
    document["sections"]["sources"] = [{"citation_key": "x"}]  # every other field missing

    with pytest.raises(TransferRefused, match="malformed"):
        import_review(document=document)

    assert not Review.objects.filter(slug="restored-copy").exists()
    assert not SourceDocument.objects.exists()


def test_it_refuses_a_review_without_a_slug(db):
    with pytest.raises(TransferRefused, match="no slug"):
        import_review(document={"review": {"slug": ["x"]}, "sections": {}})


def test_it_refuses_invalid_choices(review):
    document = json.loads(export_review_text(review))
    document["review"]["slug"] = "restored-copy"
    document["sections"]["screening_counts"] = [{"stage": "nonsense", "count": 3, "note": ""}]

    with pytest.raises(TransferRefused, match="invalid data"):
        import_review(document=document)

    assert not Review.objects.filter(slug="restored-copy").exists()


def test_it_makes_the_importing_user_the_owner(review, outsider):
    document = json.loads(export_review_text(review))
    document["review"]["slug"] = "restored-copy"

    import_review(document=document, user=outsider)

    assert Review.objects.get(slug="restored-copy").role_of(outsider) == "owner"


def test_it_round_trips_through_the_commands(shipped, tmp_path, capsys):
    path = tmp_path / "ics.json"
    call_command("export_review", ICS_SLUG, "-o", str(path))
    first = path.read_bytes()
    delete_review(shipped)

    call_command("import_review", str(path))
    call_command("export_review", ICS_SLUG, "-o", str(tmp_path / "again.json"))

    assert (tmp_path / "again.json").read_bytes() == first
    assert f"{ICS_SLUG}: created:" in capsys.readouterr().out
    with pytest.raises(CommandError, match="already exists"):
        call_command("import_review", str(path))
    with pytest.raises(CommandError, match="No review"):
        call_command("export_review", "missing", "-o", str(path))


def test_it_links_other_reviews_only_where_the_importer_may(shipped, outsider):
    """A crafted document cannot add evidence to, or claim to be tested by, others' reviews."""
    case_study = Review.objects.get(slug=CASE_STUDY_SLUG)
    document = json.loads(export_review_text(case_study))
    document["review"]["slug"] = "crafted-copy"
    document["review"]["tested_by"] = [ICS_SLUG]
    for row in document["sections"]["sources"]:
        row["doi"] = ""  # the copy's sources need not clash with anything
    links_before = EvidenceLink.objects.filter(cmoc__review=shipped).count()

    report = import_review(document=document, user=outsider)

    copy = Review.objects.get(slug="crafted-copy")
    assert EvidenceLink.objects.filter(cmoc__review=shipped).count() == links_before
    assert not shipped.tests_theories_of.filter(pk=copy.pk).exists()
    # The public 2024 review may be read, so the copy may say it tests it.
    assert list(copy.tests_theories_of.values_list("slug", flat=True)) == [ICS_SLUG]
    reasons = {s["reason"] for s in report.skipped}
    assert reasons == {"testing review not here or not yours", "no cmoc here, or not yours to link"}


def test_it_restores_the_shipped_records_into_an_emptied_database(shipped):
    case_study = Review.objects.get(slug=CASE_STUDY_SLUG)
    scie = Review.objects.get(slug=SCIE_SLUG)
    ics_text, case_text = export_review_text(shipped), export_review_text(case_study)
    scie_text = export_review_text(scie)
    for review in (case_study, shipped, scie):
        delete_review(review)
    assert not Review.objects.exists() and not SourceDocument.objects.exists()

    first = restore(ics_text)  # its links from the case study wait for the case study
    restore(case_text)
    restore(scie_text)

    assert {s["reason"] for s in first.skipped} == {
        "testing review not here or not yours",
        "no excerpt here, or not yours to link",
    }
    assert export_review_text(Review.objects.get(slug=ICS_SLUG)) == ics_text
    assert export_review_text(Review.objects.get(slug=CASE_STUDY_SLUG)) == case_text
    assert export_review_text(Review.objects.get(slug=SCIE_SLUG)) == scie_text


def test_it_round_trips_screening_and_appraisal_records(review, owner, editor):
    source = SourceDocument.objects.create(review=review, citation_key="a20", title="A", year=2020)
    reason = ExclusionReason.objects.create(review=review, label="Not about ICS leaders")
    ScreeningProtocol.objects.create(review=review, required_reviewers=2, keywords="leader")
    SearchRecord.objects.create(review=review, label="HMIC, MEDLINE", records_found=5716)
    first = ScreeningDecision.objects.create(
        source=source, stage="title_abstract", reviewer=owner, decision="maybe", is_current=False
    )
    ScreeningDecision.objects.create(
        source=source, stage="title_abstract", reviewer=owner, decision="exclude",
        exclusion_reason=reason, supersedes=first,
    )
    ScreeningDecision.objects.create(
        source=source, stage="title_abstract", reviewer=editor, decision="include"
    )
    ScreeningResolution.objects.create(
        source=source, stage="title_abstract", decision="include", note="Discussed",
        resolved_by=owner,
    )
    Appraisal.objects.create(source=source, criterion="rigour", judgement="meets", reviewer=editor)
    text = export_review_text(review)
    delete_review(review)

    report = restore(text)

    restored = Review.objects.get(slug="test-review")
    assert export_review_text(restored) == text
    assert report.skipped == [] and report.blanked == []
    decisions = ScreeningDecision.objects.filter(source__review=restored)
    current = decisions.get(reviewer=owner, is_current=True)
    assert current.supersedes.decision == "maybe"
    assert current.exclusion_reason.label == "Not about ICS leaders"
    assert ScreeningResolution.objects.get(source__review=restored).resolved_by == owner


# --- streaming restore ------------------------------------------------------------------------


def test_it_restores_in_chunks_across_every_section_byte_identically(shipped, monkeypatch):
    """Chunks of three rows: references, self-references and many-to-many links all
    cross chunk boundaries, and the review still comes back byte for byte."""
    monkeypatch.setattr(load, "_CHUNK_ROWS", 3)
    case_study = Review.objects.get(slug=CASE_STUDY_SLUG)
    ics_text, case_text = export_review_text(shipped), export_review_text(case_study)
    delete_review(case_study)
    delete_review(shipped)

    restore(ics_text)
    report = restore(case_text)

    assert export_review_text(Review.objects.get(slug=CASE_STUDY_SLUG)) == case_text
    assert report.created["excerpts"] == 11
    restored = Review.objects.get(slug=ICS_SLUG)
    assert Excerpt.objects.filter(source__review=restored).count() > 3
    assert LineageEvent.objects.filter(review=restored, inputs__isnull=False).exists()


def test_it_reads_the_document_from_a_file_as_it_goes(review, tmp_path):
    SourceDocument.objects.create(review=review, citation_key="a2020", title="A", year=2020)
    text = export_review_text(review).replace('"test-review"', '"streamed-copy"', 1)
    path = tmp_path / "review.json"
    path.write_text(text, encoding="utf-8")

    with path.open("rb") as stream:
        document = parse_document(stream)
        assert document.review["slug"] == "streamed-copy"
        import_review(document=document)

    copy = Review.objects.get(slug="streamed-copy")
    assert export_review_text(copy) == text
    assert SourceDocument.objects.get(review=copy).history.count() == 1


def test_it_records_history_for_restored_rows_with_the_importing_user(shipped, outsider):
    text = export_review_text(shipped)
    delete_review(shipped)

    restore(text, user=outsider)

    restored = Review.objects.get(slug=ICS_SLUG)
    cmocs = CMOC.objects.filter(review=restored)
    records = CMOC.history.filter(review=restored)
    assert records.count() == cmocs.count()
    assert set(records.values_list("history_type", "history_user", "history_change_reason")) == {
        ("+", outsider.pk, "Restored from a review export")
    }
    newest = cmocs.order_by("code").first()
    assert newest.history.get().statement == newest.statement


def test_it_refuses_a_document_cut_off_halfway_and_writes_nothing(review):
    SourceDocument.objects.create(review=review, citation_key="a2020", title="A", year=2020)
    text = export_review_text(review).replace('"test-review"', '"cut-copy"', 1)
    cut = text[: text.index('"frameworks"')]
    before = SourceDocument.objects.count()

    with pytest.raises(TransferRefused, match="not JSON"):
        import_review(document=parse_document(cut.encode()))

    assert not Review.objects.filter(slug="cut-copy").exists()
    assert SourceDocument.objects.count() == before


def test_it_refuses_sections_out_of_order_and_writes_nothing(review):
    record = {**json.loads(export_review_text(review))["review"], "slug": "reordered"}
    text = (
        f'{{"format": "ichub-review", "version": 1, "review": {json.dumps(record)}, '
        '"sections": {"sources": [], "definitions": []}}'
    )

    with pytest.raises(TransferRefused, match="'definitions' comes after 'sources'"):
        import_review(document=parse_document(text.encode()))

    assert not Review.objects.filter(slug="reordered").exists()


def test_it_refuses_a_section_that_is_not_a_list_of_objects(review):
    record = {**json.loads(export_review_text(review))["review"], "slug": "odd-copy"}
    for sections, message in (('{"sources": {}}', "not a list"), ('{"sources": [1]}', "number")):
        text = (
            f'{{"format": "ichub-review", "version": 1, "review": {json.dumps(record)}, '
            f'"sections": {sections}}}'
        )
        with pytest.raises(TransferRefused, match=message):
            import_review(document=parse_document(text.encode()))

    assert not Review.objects.filter(slug="odd-copy").exists()


def test_it_restores_in_queries_that_grow_with_chunks_not_rows(review):
    def queries_to_restore(sources, slug):
        for n in range(sources):
            SourceDocument.objects.create(
                review=review, citation_key=f"s{slug}{n}", title=f"Study {n}", year=2020
            )
        text = export_review_text(review).replace('"test-review"', f'"{slug}"', 1)
        with CaptureQueriesContext(connection) as queries:
            import_review(document=parse_document(text.encode()))
        SourceDocument.objects.filter(review=review).delete()
        return len(queries)

    assert queries_to_restore(2, "small-copy") == queries_to_restore(40, "large-copy")


class CountingReader(io.BytesIO):
    """A binary file that remembers how far it has been read."""

    furthest = 0

    def read(self, size=-1):
        data = super().read(size)
        self.furthest = max(self.furthest, self.tell())
        return data


def test_it_reads_rows_without_reading_the_rest_of_the_file(review):
    row = {"citation_key": "k", "title": "T" * 200}
    rows = ",".join(json.dumps({**row, "citation_key": f"k{n}"}) for n in range(5_000))
    record = json.loads(export_review_text(review))["review"]
    data = (
        f'{{"format": "ichub-review", "version": 1, "review": {json.dumps(record)}, '
        f'"sections": {{"sources": [{rows}]}}}}'
    ).encode()
    stream = CountingReader(data)

    name, section_rows = next(parse_document(stream).sections())
    first = next(iter(section_rows))

    assert (name, first["citation_key"]) == ("sources", "k0")
    assert stream.furthest < len(data) / 10  # the other 4,999 rows are still unread


@pytest.mark.parametrize("kept", ["]", "]}", "]}\n  "])
def test_it_refuses_a_document_cut_off_after_its_last_section_and_writes_nothing(review, kept):
    """Every row is there, but the closing braces are not: the file was cut off in transit."""
    SourceDocument.objects.create(review=review, citation_key="a2020", title="A", year=2020)
    text = export_review_text(review).replace('"test-review"', '"cut-at-end"', 1)
    cut = text[: text.rindex("]")] + kept

    with pytest.raises(TransferRefused, match="not JSON|ends"):
        import_review(document=parse_document(cut.encode()))

    assert not Review.objects.filter(slug="cut-at-end").exists()


def test_it_refuses_anything_after_the_document_and_writes_nothing(review):
    text = export_review_text(review).replace('"test-review"', '"tail-copy"', 1)

    with pytest.raises(TransferRefused):
        import_review(document=parse_document((text + '{"more": 1}').encode()))

    assert not Review.objects.filter(slug="tail-copy").exists()

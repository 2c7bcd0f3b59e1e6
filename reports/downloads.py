"""Downloads of a review's tables: the CMOC table, the evidence matrix, and its sources.

Spreadsheet cells that start with = + - @ (or a tab or carriage return) are
prefixed with a quote: Excel and LibreOffice would otherwise run them as
formulas, and a source title is text anyone with an import file can choose.
"""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass

import orjson
from django.conf import settings
from django.db.models import Prefetch
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from cmocs.models import CMOC, EvidenceLink
from evidence.models import SourceDocument
from ichub.fields import natural_sort_key
from reports.checklists import CHECKLIST_HEADER, checklist_markdown, checklist_rows
from reports.matrix import evidence_matrix
from reports.prisma import to_prisma_csv
from reports.quality import QUALITY_HEADER, quality_rows
from reports.rameses import rameses_report
from reports.rameses_output import to_docx, to_markdown
from reports.references import csl_items, to_bibtex, to_csl_json, to_ris
from reports.refiqda.export import codebook_qdc, qdpx_bytes

READING_MARK = "ichub's reading"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

CMOC_COLUMNS = [
    "Code",
    "Programme theory",
    "Stage",
    "Status",
    "Context (C)",
    "Mechanism – resource (M-res)",
    "Mechanism – reasoning (M-rea)",
    "Outcome (O)",
    "Statement",
    "Cited sources",
]


def neutralise(value):
    """A cell value that a spreadsheet shows as text, never runs as a formula."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def cmoc_table(review):
    """Header and one row per CMOC (initial, then refined, by code), in three queries."""
    links = EvidenceLink.objects.shown_with_cmocs().select_related("excerpt__source").only(
        "cmoc_id", "provenance", "excerpt__source__authors", "excerpt__source__year",
        "excerpt__source__title", "excerpt__source__citation_key",
    )
    cmocs = sorted(
        CMOC.objects.filter(review=review)
        .with_elements()
        .prefetch_related(Prefetch("evidence_links", queryset=links)),
        key=lambda c: (c.stage != CMOC.Stage.INITIAL, natural_sort_key(c.code)),
    )
    rows = []
    for cmoc in cmocs:
        cited = sorted({_cited(link) for link in cmoc.evidence_links.all()})
        rows.append(
            [
                cmoc.code,
                _theory_cell(cmoc),
                cmoc.get_stage_display(),
                cmoc.get_status_display(),
                *(
                    element.text if element else ""
                    for element in (
                        cmoc.context,
                        cmoc.mechanism_resource,
                        cmoc.mechanism_reasoning,
                        cmoc.outcome,
                    )
                ),
                cmoc.statement,
                "; ".join(cited),
            ]
        )
    return CMOC_COLUMNS, rows


def _cited(link):
    """A linked source, marked when the link is ichub's reading, not the review's citation."""
    citation = link.excerpt.source.short_citation
    return f"{citation} ({READING_MARK})" if link.is_project_reading else citation


def _theory_cell(cmoc):
    """The theory's name, marked when it is ichub's reading rather than the review's."""
    if not cmoc.theory:
        return ""
    return f"{cmoc.theory.name} ({READING_MARK})" if cmoc.theory_is_inferred else cmoc.theory.name


MATRIX_OPTIONS = ("include_retired", "hide_empty")


def matrix_table(review, **options):
    """The evidence matrix as the page shows it: a row per source, a column per CMOC.

    `options` are the page's (`include_retired`, `hide_empty`), so a download
    made from the page holds what the page showed.
    """
    matrix = evidence_matrix(review, **options)
    header = ["Source", *(_matrix_heading(cmoc) for cmoc in matrix.cmocs)]
    rows = [
        [source.short_citation, *(_matrix_cell(matrix, c.pk, source.pk) for c in matrix.cmocs)]
        for source in matrix.sources
    ]
    return header, rows


def _matrix_cell(matrix, cmoc_id, source_id):
    return ", ".join(
        f"{stance} ({READING_MARK})" if reading else stance
        for stance, reading in matrix.labelled_stances(cmoc_id, source_id)
    )


def _matrix_heading(cmoc):
    """A refined, active CMOC by its code; any other with its stage and status, as the page."""
    if cmoc.stage == CMOC.Stage.REFINED and cmoc.status == CMOC.Status.ACTIVE:
        return cmoc.code
    return f"{cmoc.code} ({cmoc.get_stage_display().lower()}, {cmoc.get_status_display().lower()})"


def to_csv(header, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise(cell) for cell in header])
    writer.writerows([neutralise(cell) for cell in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")  # the BOM makes Excel read UTF-8


def to_xlsx(header, rows, *, title):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append([neutralise(cell) for cell in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([neutralise(cell) for cell in row])
    for column in sheet.columns:
        longest = max(len(str(cell.value or "")) for cell in column)
        sheet.column_dimensions[column[0].column_letter].width = min(max(longest, 8), 60)
        for cell in column[1:]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "B2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def review_sources(review, *, included_only=False):
    sources = SourceDocument.objects.filter(review=review).order_by("citation_key")
    return sources.included() if included_only else sources


@dataclass(frozen=True)
class Download:
    """One file a reader may download from a review: what it is and how it is made."""

    label: str
    content_type: str
    build: Callable  # review -> bytes


def _rameses_markdown(review):
    return to_markdown(rameses_report(review)).encode("utf-8")


def _rameses_docx(review):
    return to_docx(rameses_report(review))


def _checklist_markdown(review):
    return checklist_markdown(review).encode("utf-8")


def build_download(review, name, **matrix_options):
    """The bytes of DOWNLOADS[name]; the evidence matrix with the page's options if given."""
    if name in MATRIX_FILES and any(matrix_options.values()):
        table = matrix_table(review, **matrix_options)
        return to_csv(*table) if name.endswith(".csv") else to_xlsx(*table,
                                                                     title="Evidence matrix")
    return DOWNLOADS[name].build(review)


def made_by_job(review):
    """Whether this review's table downloads are made by a job for signed-in readers.

    True above settings.DOWNLOAD_JOB_SOURCES sources, counted only up to that
    number: the check costs the same on any review. Anonymous readers of such
    a public review are asked to sign in for a job-made file (a job needs an
    owner); the streamed source files stay open to them.
    """
    threshold = settings.DOWNLOAD_JOB_SOURCES
    beyond = SourceDocument.objects.filter(review=review).order_by().values_list("pk", flat=True)
    return bool(list(beyond[threshold:threshold + 1]))


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_CSV = "text/csv; charset=utf-8"

# The API and the browser serve the same files under these names.
DOWNLOADS = {
    "project.qdpx": Download("REFI-QDA project for NVivo, ATLAS.ti, MAXQDA, QualCoder (.qdpx)",
                             "application/zip", qdpx_bytes),
    "codebook.qdc": Download("REFI-QDA codebook (.qdc)", "application/xml", codebook_qdc),
    "cmoc-table.csv": Download("CMOC table (CSV)", _CSV, lambda r: to_csv(*cmoc_table(r))),
    "cmoc-table.xlsx": Download(
        "CMOC table (Excel)", XLSX, lambda r: to_xlsx(*cmoc_table(r), title="CMOCs")
    ),
    "evidence-matrix.csv": Download(
        "Evidence matrix (CSV)", _CSV, lambda r: to_csv(*matrix_table(r))
    ),
    "evidence-matrix.xlsx": Download(
        "Evidence matrix (Excel)",
        XLSX,
        lambda r: to_xlsx(*matrix_table(r), title="Evidence matrix"),
    ),
    "sources.ris": Download(
        "Sources (RIS)", "application/x-research-info-systems", lambda r: to_ris(review_sources(r))
    ),
    "sources.bib": Download(
        "Sources (BibTeX)", "application/x-bibtex; charset=utf-8",
        lambda r: to_bibtex(review_sources(r)),
    ),
    "sources.json": Download(
        "Sources (CSL-JSON)", "application/vnd.citationstyles.csl+json",
        lambda r: to_csl_json(review_sources(r)),
    ),
    "prisma-flow.csv": Download(
        "PRISMA 2020 flow (CSV for the PRISMA2020 app)", _CSV, lambda r: to_prisma_csv(r)
    ),
    "rameses-report.md": Download(
        "RAMESES report (Markdown)", "text/markdown; charset=utf-8", _rameses_markdown
    ),
    "rameses-report.docx": Download(
        "RAMESES report (Word)",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        _rameses_docx,
    ),
    "rameses-checklist.md": Download(
        "RAMESES checklist: each item reported yes / partly / no, where, what is missing "
        "(Markdown)",
        "text/markdown; charset=utf-8",
        _checklist_markdown,
    ),
    "rameses-checklist.csv": Download(
        "RAMESES checklist (CSV)", _CSV, lambda r: to_csv(CHECKLIST_HEADER, checklist_rows(r))
    ),
    "rameses-quality.csv": Download(
        "RAMESES quality standards: the team's self-assessment (CSV)", _CSV,
        lambda r: to_csv(QUALITY_HEADER, quality_rows(r)),
    ),
}
MATRIX_FILES = {"evidence-matrix.csv", "evidence-matrix.xlsx"}
# Always made by a job for signed-in readers (they grow with the whole review) ...
JOB_FILES = {"rameses-report.docx", "project.qdpx"}
# How each file leaves ichub on a review that `made_by_job` (direct otherwise, as ever):
# Made by a job: each needs the whole review at once before its first byte. The CMOC
# table's rows are in natural code order, sorted over every CMOC, and each row gathers
# all its CMOC's links; the matrix is every included source x every current CMOC, its
# rows sorted by the citation as written (a Python function of the author list, which
# SQL cannot order by); a workbook (.xlsx), a Word file and a zip are written whole at
# the end; the Markdown report is built from one report of the whole review.
LARGE_REVIEW_JOB_FILES = {
    "cmoc-table.csv", "cmoc-table.xlsx", *MATRIX_FILES, "rameses-report.md",
}
# Streamed: one record per source, in citation-key order (unique in a review, indexed),
# so `stream_download` reads STREAM_SOURCES sources at a time by keyset and drops each
# chunk once written: bounded memory and queries, the same bytes as the whole build.
# (prisma-flow.csv stays direct: thirty rows of counts that the flow takes from SQL
# aggregates, as many queries at 100,000 sources as at 100; the checklist and quality
# files hold a row per RAMESES item.)
STREAMED_FILES = {"sources.ris", "sources.bib", "sources.json"}
STREAM_SOURCES = 1000


# The whole-review export (GET .../export/) is made by a job too: each of its sections is
# sorted in memory by natural key before it is written.
EXPORT = "export.json"


def delivery(review, name):
    """"job", "stream" or "direct": how the file `name` of this review is served to a GET."""
    if name in {*JOB_FILES, *LARGE_REVIEW_JOB_FILES, *STREAMED_FILES, EXPORT} and made_by_job(
            review):
        return "stream" if name in STREAMED_FILES else "job"
    return "direct"


def _source_batches(review):
    """The review's sources as `review_sources` orders them, STREAM_SOURCES per query."""
    sources, last = review_sources(review), None
    while True:
        page = sources if last is None else sources.filter(citation_key__gt=last)
        batch = list(page[:STREAM_SOURCES])
        if not batch:
            return
        yield batch
        last = batch[-1].citation_key


def _csl_chunks(review):
    """to_csl_json's indented array, an item at a time: each item's lines one level in."""
    started = False
    for batch in _source_batches(review):
        for item in csl_items(batch):
            text = orjson.dumps(item, option=orjson.OPT_INDENT_2).replace(b"\n", b"\n  ")
            yield (b",\n  " if started else b"[\n  ") + text
            started = True
    yield b"\n]" if started else b"[]"


def _joined_chunks(review, write, separator):
    for index, batch in enumerate(_source_batches(review)):
        yield (separator if index else b"") + write(batch)


def stream_download(review, name):
    """The bytes of a STREAMED_FILES file as chunks, equal to DOWNLOADS[name].build(review)."""
    if name == "sources.json":
        return _csl_chunks(review)
    # The writers end each record with a newline and part records with a blank line (RIS)
    # or two (BibTeX): joining the chunks with what lies between records keeps the bytes.
    write, separator = {"sources.ris": (to_ris, b"\n"), "sources.bib": (to_bibtex, b"\n\n")}[name]
    return _joined_chunks(review, write, separator)


def job_files_for(user, review):
    """The downloads this reader gets as a job (a progress page, then the file)."""
    if not user.is_authenticated:
        return set()
    return JOB_FILES | LARGE_REVIEW_JOB_FILES if made_by_job(review) else JOB_FILES

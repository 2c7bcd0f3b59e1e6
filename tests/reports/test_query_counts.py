"""Reads that must not grow with the review: export, report and tables."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from cmocs.models import CMOC, EvidenceLink
from evidence.models import Excerpt
from evidence.screening.flow import screening_flow
from programme_theories.models import ProgrammeTheory
from reports import downloads as exports
from reports.rameses import rameses_report
from reports.transfer import export_review_text
from reports.transfer.sections import SECTIONS

OWN_REPORT_QUERIES = 13


def count_queries(function, *args):
    with CaptureQueriesContext(connection) as queries:
        function(*args)
    return len(queries)


def test_it_exports_with_one_query_per_section(shipped):
    many = sum(len(section.many) for section in SECTIONS)

    # One per section, one per many-to-many, and two for the review's own links.
    assert count_queries(export_review_text, shipped) == len(SECTIONS) + many + 2


def test_it_builds_the_report_and_tables_in_a_fixed_number_of_queries(shipped):
    flow = count_queries(screening_flow, shipped)  # the screening engineer's share
    with CaptureQueriesContext(connection) as queries:
        rameses_report(shipped)
    searches = [q["sql"] for q in queries if "evidence_searchrecord" in q["sql"]]
    table = count_queries(exports.cmoc_table, shipped)

    # Besides the flow: the authors' statements, the team's not-applicable items,
    # definitions, lineage events (+2 prefetches), frameworks (+themes), the appraisal
    # tally, included documents, the findings' theories, their CMOCs and evidence.
    assert len(queries) == flow + OWN_REPORT_QUERIES, [q["sql"][:80] for q in queries]
    assert len(searches) == 1  # the flow's read of the searches serves their section too
    # The page's report counts the rows it leaves out: one query more.
    assert count_queries(lambda: rameses_report(shipped, rows_shown=2)) == len(queries) + 1
    assert table == 2  # CMOCs with their elements; links with their sources


def _page_report(review):
    return rameses_report(review, rows_shown=3)


def test_it_costs_the_same_queries_with_more_cmocs_and_evidence(shipped):
    before = (count_queries(rameses_report, shipped), count_queries(exports.cmoc_table, shipped),
              count_queries(_page_report, shipped))
    theory = ProgrammeTheory.objects.filter(review=shipped).refined().first()
    excerpt = Excerpt.objects.filter(source__review=shipped).first()
    for n in range(7, 12):
        cmoc = CMOC.objects.create(
            review=shipped, stage="refined", code=f"CMOC {n}", statement="More", theory=theory
        )
        EvidenceLink.objects.create(cmoc=cmoc, excerpt=excerpt)

    after = (count_queries(rameses_report, shipped), count_queries(exports.cmoc_table, shipped),
             count_queries(_page_report, shipped))

    assert after == before

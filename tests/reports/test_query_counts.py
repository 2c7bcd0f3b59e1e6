"""Reads that must not grow with the review: export, report and tables."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from cmocs.models import CMOC, EvidenceLink
from evidence.models import Excerpt
from programme_theories.models import ProgrammeTheory
from reports import downloads as exports
from reports.rameses import rameses_report
from reports.transfer import export_review_text
from reports.transfer.sections import SECTIONS


def count_queries(function, *args):
    with CaptureQueriesContext(connection) as queries:
        function(*args)
    return len(queries)


def test_it_exports_with_one_query_per_section(shipped):
    many = sum(len(section.many) for section in SECTIONS)

    # One per section, one per many-to-many, and two for the review's own links.
    assert count_queries(export_review_text, shipped) == len(SECTIONS) + many + 2


def test_it_builds_the_report_and_tables_in_a_fixed_number_of_queries(shipped):
    report = count_queries(rameses_report, shipped)
    table = count_queries(exports.cmoc_table, shipped)

    # screening_flow's share is the screening engineer's; one is the team's not-applicable items.
    assert report <= 21, report
    assert table == 2  # CMOCs with their elements; links with their sources


def test_it_costs_the_same_queries_with_more_cmocs_and_evidence(shipped):
    before = count_queries(rameses_report, shipped), count_queries(exports.cmoc_table, shipped)
    theory = ProgrammeTheory.objects.filter(review=shipped).refined().first()
    excerpt = Excerpt.objects.filter(source__review=shipped).first()
    for n in range(7, 12):
        cmoc = CMOC.objects.create(
            review=shipped, stage="refined", code=f"CMOC {n}", statement="More", theory=theory
        )
        EvidenceLink.objects.create(cmoc=cmoc, excerpt=excerpt)

    after = count_queries(rameses_report, shipped), count_queries(exports.cmoc_table, shipped)

    assert after == before

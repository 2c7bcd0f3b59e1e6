"""ichub.search: the same answers on SQLite (LIKE) and PostgreSQL (tsvector + GIN)."""

import pytest
from django.db import connection

from cmocs.models import CMOC, Context, Outcome
from cmocs.search import search_cmocs
from evidence.models import Excerpt, SourceDocument
from evidence.search import search_excerpts, search_sources

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the tsvector column exists only on PostgreSQL"
)


@pytest.fixture
def corpus(review):
    trust = SourceDocument.objects.create(
        review=review,
        citation_key="pearson2018",
        authors="Pearson, C. and Watson, N.",
        year=2018,
        title="Relational leadership across integrated care systems",
        doi="10.1136/bmjlead-2018-000001",
    )
    other = SourceDocument.objects.create(
        review=review, citation_key="smith2020", title="Budgets and pooled funding", year=2020
    )
    Excerpt.objects.create(source=trust, key="q1", text="Leaders built trust through candour.")
    Excerpt.objects.create(source=other, key="q1", text="Pooled budgets needed regulation.")
    context = Context.objects.create(review=review, key="c1", text="A history of competition")
    outcome = Outcome.objects.create(review=review, key="o1", text="Shared vision")
    CMOC.objects.create(
        review=review, code="CMOC 1", stage="refined", statement="Candour builds trust.",
        context=context, outcome=outcome,
    )
    CMOC.objects.create(review=review, code="CMOC 2", stage="refined", statement="Money talks.")
    return review


def codes(queryset):
    return sorted(queryset.values_list("code", flat=True))


def test_it_finds_excerpts_by_word_prefix_and_by_source_title(corpus):
    excerpts = Excerpt.objects.for_review(corpus)
    assert [e.text for e in search_excerpts(excerpts, "leader")] == [
        "Leaders built trust through candour."
    ]
    # "relational" is only in the source's title
    assert search_excerpts(excerpts, "Relational").count() == 1
    assert search_excerpts(excerpts, "pooled budget").count() == 1
    assert search_excerpts(excerpts, "nowhere-to-be-found").count() == 0


def test_it_finds_cmocs_by_statement_code_and_element_text(corpus):
    cmocs = CMOC.objects.for_review(corpus)
    assert codes(search_cmocs(cmocs, "trust")) == ["CMOC 1"]
    assert codes(search_cmocs(cmocs, "competition")) == ["CMOC 1"]  # its context
    assert codes(search_cmocs(cmocs, "vision")) == ["CMOC 1"]  # its outcome
    assert codes(search_cmocs(cmocs, "money")) == ["CMOC 2"]


def test_it_finds_sources_by_title_author_key_and_exact_doi(corpus):
    sources = SourceDocument.objects.for_review(corpus)
    keys = lambda qs: sorted(qs.values_list("citation_key", flat=True))  # noqa: E731
    assert keys(search_sources(sources, "integrated care")) == ["pearson2018"]
    assert keys(search_sources(sources, "Watson")) == ["pearson2018"]
    assert keys(search_sources(sources, "smith2020")) == ["smith2020"]
    assert keys(search_sources(sources, "https://doi.org/10.1136/BMJLEAD-2018-000001")) == [
        "pearson2018"
    ]


def test_it_keeps_the_callers_scope(corpus, other_review):
    stranger = SourceDocument.objects.create(
        review=other_review, citation_key="x2020", title="Relational leadership elsewhere"
    )
    Excerpt.objects.create(source=stranger, key="q1", text="Leaders elsewhere.")
    assert search_excerpts(Excerpt.objects.for_review(corpus), "leader").count() == 1
    assert search_sources(SourceDocument.objects.for_review(other_review), "relational").get() == (
        stranger
    )


@pytest.mark.parametrize("text", ["", "   ", "\x00"])
def test_it_returns_the_queryset_unfiltered_for_an_empty_query(corpus, text):
    assert search_cmocs(CMOC.objects.for_review(corpus), text).count() == 2


@pytest.mark.parametrize("text", ["!:*&|'", "trust\x00", "a & (b | !c", "'; drop table x; --"])
def test_it_answers_any_punctuation_without_error(corpus, text):
    for search, queryset in (
        (search_cmocs, CMOC.objects.all()),
        (search_sources, SourceDocument.objects.all()),
        (search_excerpts, Excerpt.objects.all()),
    ):
        list(search(queryset, text))  # no DatabaseError: tsquery syntax never reaches PostgreSQL
    assert codes(search_cmocs(CMOC.objects.all(), "trust\x00")) == ["CMOC 1"]


@on_postgres
def test_it_keeps_the_stored_vector_current_when_text_changes(corpus):
    excerpt = Excerpt.objects.get(source__citation_key="smith2020")
    excerpt.text = "Commissioners learned to collaborate."
    excerpt.save()
    found = search_excerpts(Excerpt.objects.for_review(corpus), "collaborat")
    assert list(found) == [excerpt]
    assert search_excerpts(Excerpt.objects.for_review(corpus), "regulation").count() == 0


@on_postgres
def test_it_finds_excerpts_by_their_sources_new_title(corpus):
    source = SourceDocument.objects.get(citation_key="smith2020")
    source.title = "Commissioning without borders"
    source.save()
    excerpts = Excerpt.objects.for_review(corpus)
    assert [e.source_id for e in search_excerpts(excerpts, "borders")] == [source.pk]
    assert search_excerpts(excerpts, "pooled funding").count() == 0


@on_postgres
def test_it_can_answer_from_the_gin_index(corpus):
    queryset = search_excerpts(Excerpt.objects.order_by(), "trust")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table would be scanned
        sql, params = queryset.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "evidence_excerpt_search_gin" in plan

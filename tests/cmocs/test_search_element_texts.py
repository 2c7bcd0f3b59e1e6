"""A CMOC is found by its elements' words, and stays right when they change.

On PostgreSQL the element texts are copied into the CMOC's own search vector by
triggers (migration ichub 0005); these tests change the elements and the CMOC's
element FKs in every way the app can and check the answer, on both databases.
"""

import pytest
from django.db import connection

from cmocs import services
from cmocs.models import CMOC, Context, Mechanism, Outcome
from cmocs.search import search_cmocs

pytestmark = pytest.mark.django_db


@pytest.fixture
def cmoc(review, owner):
    context = Context.objects.create(review=review, key="c1", text="A history of competition")
    resource = Mechanism.objects.create(
        review=review, key="m1", kind="resource", text="Protected time for meetings"
    )
    reasoning = Mechanism.objects.create(
        review=review, key="m2", kind="reasoning", text="Leaders feel safe to disagree"
    )
    outcome = Outcome.objects.create(review=review, key="o1", text="Shared vision")
    return services.create_cmoc(
        review=review, user=owner, code="CMOC 1", statement="Candour builds trust.",
        context=context, mechanism_resource=resource, mechanism_reasoning=reasoning,
        outcome=outcome,
    )


def found(review, text):
    return [c.code for c in search_cmocs(CMOC.objects.for_review(review), text)]


def test_it_finds_a_cmoc_by_each_of_its_four_elements(review, cmoc):
    for word in ("competition", "protected", "disagree", "vision", "candour"):
        assert found(review, word) == ["CMOC 1"], word
    # every word somewhere in the CMOC or its elements, on SQLite as on PostgreSQL
    assert found(review, "history disagree") == ["CMOC 1"]
    assert found(review, "history nowhere") == []


@pytest.mark.parametrize(
    ("element", "old_word"),
    [("context", "competition"), ("mechanism_resource", "protected"),
     ("mechanism_reasoning", "disagree"), ("outcome", "vision")],
)
def test_it_follows_an_edit_of_an_elements_text(review, cmoc, element, old_word):
    part = getattr(cmoc, element)
    part.text = "Pooled budgets and candid commissioning"
    part.save()
    assert found(review, "commissioning") == ["CMOC 1"]
    assert found(review, old_word) == []


def test_it_follows_a_queryset_update_of_element_texts(review, cmoc):
    Context.objects.filter(review=review).update(text="Turbulent reorganisation")
    assert found(review, "turbulent") == ["CMOC 1"]
    assert found(review, "competition") == []


def test_it_follows_a_change_of_the_cmocs_element(review, cmoc, owner):
    other = Context.objects.create(review=review, key="c2", text="Long-standing alliances")
    services.update_cmoc(cmoc=cmoc, user=owner, expected_version=cmoc.version,
                         context=other)
    assert found(review, "alliances") == ["CMOC 1"]
    assert found(review, "competition") == []
    CMOC.objects.filter(pk=cmoc.pk).update(outcome=None)
    assert found(review, "vision") == []
    assert found(review, "alliances") == ["CMOC 1"]


def test_it_updates_only_the_cmocs_that_use_the_element(review, cmoc, owner):
    shared = cmoc.context
    services.create_cmoc(review=review, user=owner, code="CMOC 2", statement="Also here.",
                         context=shared)
    services.create_cmoc(review=review, user=owner, code="CMOC 3", statement="Elsewhere.")
    shared.text = "Fragmented commissioning"
    shared.save()
    assert sorted(found(review, "fragmented")) == ["CMOC 1", "CMOC 2"]


def test_it_finds_a_cmoc_saved_before_its_element_text_was_filled(review, owner):
    """An import may write the element after the CMOC that names it."""
    context = Context.objects.create(review=review, key="late", text="")
    services.create_cmoc(review=review, user=owner, code="CMOC 7", statement="Waits.",
                         context=context)
    assert found(review, "devolution") == []
    Context.objects.filter(pk=context.pk).update(text="Devolution deals")
    assert found(review, "devolution") == ["CMOC 7"]


def test_it_finds_a_cmoc_inserted_before_its_element(review):
    """Foreign keys are checked at commit, so a fixture or an import may insert in any order."""
    CMOC.objects.bulk_create([
        CMOC(review=review, code="CMOC 8", stage="initial", statement="First in.",
             outcome_id=987654)
    ])
    assert found(review, "resilience") == []
    Outcome.objects.create(pk=987654, review=review, key="o-late", text="Resilience")
    assert found(review, "resilience") == ["CMOC 8"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL query plan")
def test_it_answers_from_the_cmoc_gin_index_alone(review, cmoc):
    queryset = search_cmocs(CMOC.objects.order_by(), "competition")
    sql, params = queryset.query.sql_with_params()
    assert "cmocs_context" not in sql and "cmocs_mechanism" not in sql
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table would be scanned
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "cmocs_cmoc_search_gin" in plan

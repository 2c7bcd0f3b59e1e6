"""The lineage graph query: whole graph, bounded queries, no path explosion."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from cmocs import services
from cmocs.lineage import connected_ids, lineage_graph
from ichub.fields import natural_sort_key


def _cmoc(review, user, code):
    return services.create_cmoc(review=review, user=user, code=code, statement=code)


def test_it_finds_ancestors_and_descendants_through_merges_and_splits(review, editor):
    a, b, c = (_cmoc(review, editor, f"CMOC {n}") for n in (1, 2, 3))
    ab = services.merge_cmocs(inputs=[a, b], user=editor, rationale="r", code="M", statement="m")
    left, right = services.split_cmoc(
        cmoc=ab, user=editor, rationale="r",
        outputs=[{"code": "L", "statement": "l"}, {"code": "R", "statement": "r"}],
    )
    services.drop_cmoc(cmoc=c, user=editor, rationale="no evidence")

    graph = lineage_graph(left)
    assert {n.code for n in graph.nodes} == {"CMOC 1", "CMOC 2", "M", "L", "R"}
    assert {e.kind for e in graph.events} >= {"merged", "split"}
    assert graph.ancestor_ids() == {a.pk, b.pk, ab.pk}
    assert graph.descendant_ids() == set()

    dropped = lineage_graph(c)
    assert [n.code for n in dropped.nodes] == ["CMOC 3"]
    assert "dropped" in {e.kind for e in dropped.events}


def test_it_returns_each_node_once_in_a_diamond(review, editor):
    root = _cmoc(review, editor, "CMOC 1")
    x, y = services.split_cmoc(
        cmoc=root, user=editor, rationale="r",
        outputs=[{"code": "X", "statement": "x"}, {"code": "Y", "statement": "y"}],
    )
    tip = services.merge_cmocs(inputs=[x, y], user=editor, rationale="r", code="T", statement="t")
    for _ in range(5):
        tip = services.refine_cmoc(cmoc=tip, user=editor, rationale="r", code=f"T{_}",
                                   statement="t")
    assert len(connected_ids(tip.pk)) == 9


def test_it_uses_the_same_number_of_queries_for_a_long_chain(review, editor):
    def queries_for_chain(length, prefix):
        node = _cmoc(review, editor, f"{prefix}0")
        for n in range(1, length):
            node = services.refine_cmoc(
                cmoc=node, user=editor, rationale="r", code=f"{prefix}{n}", statement="s"
            )
        with CaptureQueriesContext(connection) as ctx:
            graph = lineage_graph(node)
        assert len(graph.nodes) == length
        return len(ctx.captured_queries)

    assert queries_for_chain(2, "short-") == queries_for_chain(10, "long-")


def test_it_sorts_codes_by_number():
    assert sorted(["CMOC 10", "CMOC 2", "CMOC 1"], key=natural_sort_key) == [
        "CMOC 1", "CMOC 2", "CMOC 10"
    ]

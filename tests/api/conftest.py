"""Data for the API tests: a small private review with every kind of row, built in code.

`world` holds the rows by name; `other` is the same shape in `other_review`,
so cross-review and visibility rules have something to refuse and hide.
"""

from types import SimpleNamespace

import pytest

from cmocs import services
from cmocs.models import Context, Mechanism, Outcome
from evidence.models import Excerpt, SourceDocument
from programme_theories.models import Framework, ProgrammeTheory, Theme


def build_review_rows(review, user, prefix=""):
    framework = Framework.objects.create(review=review, name=f"{prefix}Doing Things Differently")
    theme = Theme.objects.create(framework=framework, name="Delivering", order=4)
    theory = ProgrammeTheory.objects.create(
        review=review, theme=theme, name=f"{prefix}Delivering", stage="refined",
        statement="Leaders deliver through shared purpose.", created_by=user,
    )
    context = Context.objects.create(review=review, key="c1", text="ICS formation")
    resource = Mechanism.objects.create(review=review, key="r1", kind="resource",
                                        text="Clear vision")
    reasoning = Mechanism.objects.create(review=review, key="m1", kind="reasoning",
                                         text="Sense of purpose")
    outcome = Outcome.objects.create(review=review, key="o1", text="Focus on objectives")
    source = SourceDocument.objects.create(
        review=review, citation_key="pearson2018", authors="Pearson, C. and Watson, N.",
        year=2018, title="Implementing health and social care integration", doi="10.1/abc",
        inclusion_status="included",
    )
    excerpt = Excerpt.objects.create(source=source, key="e1", text="Vision mattered.", page="4")
    cmoc = services.create_cmoc(
        review=review, user=user, code="CMOC 1", stage="refined", statement="Vision helps.",
        theory=theory, context=context, mechanism_resource=resource,
        mechanism_reasoning=reasoning, outcome=outcome,
    )
    link = services.link_evidence(cmoc=cmoc, excerpt=excerpt, user=user, stance="supports")
    return SimpleNamespace(
        review=review, framework=framework, theme=theme, theory=theory, context=context,
        resource=resource, reasoning=reasoning, outcome=outcome, source=source,
        excerpt=excerpt, cmoc=cmoc, link=link,
    )


@pytest.fixture
def world(review, owner):
    return build_review_rows(review, owner)


@pytest.fixture
def other(other_review, outsider):
    return build_review_rows(other_review, outsider, prefix="Other ")

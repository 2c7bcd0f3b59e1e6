"""Data for the browser tests: a small curated review built through the services."""

import pytest
from django.test import Client

from cmocs import services
from cmocs.models import EvidenceLink
from evidence.models import Excerpt, ScreeningCount, SourceDocument
from programme_theories.models import Framework, ProgrammeTheory, Theme
from tests.conftest import PASSWORD


def build_curated(review, user, *, n_cmocs=2, n_sources=2):
    """A theory with CMOCs, sources with excerpts and links, a flow and a refine event."""
    framework = Framework.objects.create(review=review, name="Doing Things Differently")
    theme = Theme.objects.create(framework=framework, name="Delivering", order=4)
    theory = ProgrammeTheory.objects.create(
        review=review, theme=theme, name="Delivering", stage=ProgrammeTheory.Stage.REFINED,
        statement="Leaders who deliver together build trust across organisations.",
    )
    sources = []
    for i in range(n_sources):
        source = SourceDocument.objects.create(
            review=review, citation_key=f"author{i}2018", authors=f"Author{i}, A. and Other, B.",
            year=2018, title=f"Study number {i} of integrated care",
            inclusion_status=SourceDocument.Inclusion.INCLUDED,
        )
        Excerpt.objects.create(source=source, key=f"x{i}", text=f"Partners shared budgets {i}.",
                               page=str(10 + i))
        sources.append(source)
    SourceDocument.objects.create(
        review=review, citation_key="excluded2019", authors="Gone, G.", year=2019,
        title="An off-topic paper", inclusion_status=SourceDocument.Inclusion.EXCLUDED,
        excluded_at_stage=SourceDocument.Stage.FULL_TEXT, exclusion_reason="Not about ICSs",
    )
    for stage, count in (("identified", 5716), ("title_abstract", 300), ("full_text", 40),
                         ("included", 18)):
        ScreeningCount.objects.create(review=review, stage=stage, count=count)
    cmocs = []
    for i in range(n_cmocs):
        cmoc = services.create_cmoc(
            review=review, user=user, code=f"CMOC {i + 1}", theory=theory,
            statement=f"When partners trust each other, joint work follows ({i}).",
            context=f"A history of collaboration {i}",
            mechanism_resource=f"Shared leadership forums {i}",
            mechanism_reasoning=f"Leaders feel safe to take risks {i}",
            outcome=f"Joined-up services {i}",
        )
        for source in sources:
            services.link_evidence(cmoc=cmoc, excerpt=source.excerpts.get(), user=user,
                                   element=EvidenceLink.Element.CONTEXT)
        cmocs.append(cmoc)
    refined = services.refine_cmoc(
        cmoc=cmocs[0], user=user, rationale="Testing showed trust comes first.",
        code="CMOC 1", statement="Refined: trust, then joint work.",
        context=cmocs[0].context, theory=theory,
        carry=[],  # the refined CMOC starts with no evidence: tests link their own
    )
    return {"theory": theory, "cmocs": cmocs, "refined": refined, "sources": sources}


@pytest.fixture
def curated(review, owner):
    return build_curated(review, owner)


@pytest.fixture
def client_for():
    """Call with a user (or None) for a browser-like client, CSRF checks on, logged in."""

    def make(user):
        client = Client(enforce_csrf_checks=True)
        if user is not None:
            assert client.login(username=user.username, password=PASSWORD)
        return client

    return make


def post(client, url, data):
    """POST as a browser does: fetch the CSRF cookie first, send the token with the form."""
    client.get("/")
    token = client.cookies["csrftoken"].value
    return client.post(url, {**data, "csrfmiddlewaretoken": token})


READ_STATUS = {"owner": 200, "editor": 200, "viewer": 200, "staff": 200, "outsider": 404,
               "anonymous": 404}
# Anonymous writers are sent to log in (302); signed-in readers are refused (403).
WRITE_STATUS = {"owner": 200, "editor": 200, "viewer": 403, "staff": 200, "outsider": 404,
                "anonymous": 302}
ROLES = list(READ_STATUS)


@pytest.fixture
def user_in_role(request):
    """Call with a role name to get that user (None for anonymous)."""

    def get(role):
        return None if role == "anonymous" else request.getfixturevalue(role)

    return get


def split_data(cmoc, *outputs):
    """A split form's POST: one (code, statement) per output, elements copied from `cmoc`."""
    data = {"out-TOTAL_FORMS": str(len(outputs)), "out-INITIAL_FORMS": "0"}
    for i, (code, statement) in enumerate(outputs):
        data.update({f"out-{i}-code": code, f"out-{i}-statement": statement})
        for slot in ("context", "mechanism_resource", "mechanism_reasoning", "outcome"):
            element = getattr(cmoc, slot)
            data[f"out-{i}-{slot}"] = element.text if element else ""
    return data

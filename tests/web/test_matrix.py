import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cmocs import services
from evidence.models import Excerpt, SourceDocument
from tests.web.conftest import READ_STATUS, ROLES

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ROLES)
def test_it_shows_the_matrix_only_to_readers(client, curated, review, role, user_in_role):
    user = user_in_role(role)
    if user:
        client.force_login(user)
    response = client.get(f"/reviews/{review.slug}/matrix/")
    assert response.status_code == READ_STATUS[role]
    assert client.get(f"/reviews/{review.slug}/matrix.csv").status_code == READ_STATUS[role]


def test_it_shows_each_stance_linking_to_the_evidence(client, curated, review, owner):
    refined, source = curated["refined"], curated["sources"][1]
    services.link_evidence(cmoc=refined, excerpt=source.excerpts.get(), user=owner,
                           stance="challenges")
    client.force_login(owner)
    page = client.get(f"/reviews/{review.slug}/matrix/").content.decode()
    assert f"/reviews/{review.slug}/cmocs/{refined.pk}/#evidence-source-{source.pk}" in page
    assert 'class="stance-challenges">challenges' in page
    assert "Author0 and Other (2018)" in page  # an included source, even without links


def test_it_exports_the_matrix_as_csv(client, curated, review, owner):
    refined, source = curated["refined"], curated["sources"][1]
    services.link_evidence(cmoc=refined, excerpt=source.excerpts.get(), user=owner,
                           stance="refines")
    client.force_login(owner)
    response = client.get(f"/reviews/{review.slug}/matrix.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Source", "CMOC 1"]  # as the page: sources as rows, CMOCs as columns
    assert rows[1:] == [["Author0 and Other (2018)", ""], ["Author1 and Other (2018)", "refines"]]


def test_it_builds_the_matrix_in_the_same_queries_however_big(client, curated, review, owner):
    client.force_login(owner)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/reviews/{review.slug}/matrix/").status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for i in range(4):
        source = SourceDocument.objects.create(review=review, citation_key=f"m{i}", title="m",
                                               authors=f"M{i}, A.", year=2020,
                                               inclusion_status="included")
        excerpt = Excerpt.objects.create(source=source, key="k", text="t")
        services.link_evidence(cmoc=curated["refined"], excerpt=excerpt, user=owner)
        services.create_cmoc(review=review, user=owner, code=f"CMOC {50 + i}", stage="refined",
                             statement="s")
    assert count() == before

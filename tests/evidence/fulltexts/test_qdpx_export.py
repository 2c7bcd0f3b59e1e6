"""REFI-QDA export: every .qdpx and .qdc validates against the published XSD (lxml)."""

import io
import zipfile

import pytest
from lxml import etree

from cmocs import services as cmoc_services
from cmocs.models import CMOC
from reports.refiqda.export import codebook_qdc, qdpx_bytes
from tests.shared_files import shared_file

NS = {"q": "urn:QDA-XML:project:1.0"}
PHRASE = "Leaders who built trust across organisations"


@pytest.fixture(scope="module")
def project_schema():
    return etree.XMLSchema(etree.parse(str(shared_file("refi-qda", "Project.xsd"))))


@pytest.fixture
def coded(attached, editor, review):
    cmoc = cmoc_services.create_cmoc(
        review=review, user=editor, code="CMOC 1", statement="Trust enables collaboration.",
        context="Pooled budgets", mechanism_resource="Leaders build trust",
        mechanism_reasoning="Staff feel safe", outcome="Collaboration")
    text = "".join(p.text for p in attached.pages.order_by("number"))
    start = text.index(PHRASE)
    cmoc_services.code_passage(
        full_text=attached, start=start, end=start + len(PHRASE), exact=PHRASE, user=editor,
        link={"cmoc": cmoc, "element": "context", "stance": "supports", "note": "clear case"})
    cmoc_services.refine_cmoc(cmoc=cmoc, user=editor, rationale="Sharper outcome wording.",
                              code="CMOC 1", statement="Trust sustains collaboration.",
                              context=cmoc.context, outcome="Sustained collaboration")
    return cmoc


def test_it_exports_a_project_that_validates_against_the_refi_qda_xsd(coded, review,
                                                                       project_schema):
    archive = zipfile.ZipFile(io.BytesIO(qdpx_bytes(review)))
    qde = etree.fromstring(archive.read("project.qde"))
    project_schema.assertValid(qde)
    [pdf] = qde.findall(".//q:PDFSource", NS)
    assert archive.read(pdf.get("path").replace("internal://", "sources/")).startswith(b"%PDF")
    representation = pdf.find("q:Representation", NS)
    text = archive.read(representation.get("plainTextPath").replace("internal://", "sources/"))
    [selection] = representation.findall("q:PlainTextSelection", NS)
    start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
    assert text.decode("utf-8")[start:end] == PHRASE
    coded_names = {qde.xpath(f"//q:Code[@guid='{ref.get('targetGUID')}']/@name",
                             namespaces=NS)[0]
                   for ref in selection.findall("q:Coding/q:CodeRef", NS)}
    # The refine carried the link (issue 13: all links are carried by default), so the
    # passage is coded to the refined CMOC too.
    assert coded_names == {"CMOC 1 (initial)", "CMOC 1 (refined)",
                           f"Context: {coded.context.key}"}
    notes = [n.findtext("q:PlainTextContent", namespaces=NS) for n in qde.findall(".//q:Note", NS)]
    assert "Supports CMOC 1 (Context): clear case" in notes
    assert "Sharper outcome wording." in notes
    variables = {v.findtext("q:TextValue", namespaces=NS) for v in pdf.findall("q:VariableValue",
                                                                                 NS)}
    assert "smith2021" in variables


def test_two_exports_of_the_same_data_are_the_same(coded, review):
    assert qdpx_bytes(review) == qdpx_bytes(review)


def test_it_exports_the_codebook_alone_as_a_valid_qdc(coded, review):
    schema = etree.XMLSchema(etree.parse(str(shared_file("refi-qda", "Codebook.xsd"))))
    document = etree.fromstring(codebook_qdc(review))
    schema.assertValid(document)
    names = document.xpath("//c:Code/@name", namespaces={"c": "urn:QDA-XML:codebook:1.0"})
    assert "Context" in names and any(n.startswith("CMOC 1") for n in names)
    assert CMOC.objects.filter(review=review).count() == 2


def test_it_marks_a_link_that_is_ichubs_reading_in_its_note(attached, editor, review):
    cmoc = cmoc_services.create_cmoc(review=review, user=editor, code="CMOC 2",
                                     statement="Shared goals help.")
    text = "".join(p.text for p in attached.pages.order_by("number"))
    start = text.index(PHRASE)
    cmoc_services.code_passage(
        full_text=attached, start=start, end=start + len(PHRASE), exact=PHRASE, user=editor,
        link={"cmoc": cmoc, "stance": "refines", "provenance": "project_reading",
              "reading": "The passage speaks to trust, which the CMOC leaves implicit."})
    qde = etree.fromstring(zipfile.ZipFile(io.BytesIO(qdpx_bytes(review))).read("project.qde"))
    notes = [n.findtext("q:PlainTextContent", namespaces=NS) for n in qde.findall(".//q:Note", NS)]
    assert ("Refines CMOC 2 (Whole configuration) [ichub's reading, not the source's: The "
            "passage speaks to trust, which the CMOC leaves implicit.]") in notes


"""REFI-QDA import: our own exports into a fresh review, a real ATLAS.ti file, hostile archives."""

import io
import zipfile

import pytest

from evidence.fulltexts import services
from evidence.importers.refiqda.importer import import_qdc, import_qdpx
from evidence.importers.refiqda.safety import Refused
from evidence.models import Excerpt, ExcerptAnchor, ImportedCode, SourceDocument
from ichub.models import Review
from reports.refiqda.export import codebook_qdc, qdpx_bytes
from tests.shared_files import shared_file

PHRASE = "Leaders who built trust across organisations"


@pytest.fixture
def fresh(db, owner):
    return Review.objects.create(slug="fresh", title="Fresh review")


def _anchor(full_text, phrase, user):
    text = "".join(p.text for p in full_text.pages.order_by("number"))
    start = text.index(phrase)
    return services.create_anchored_excerpt(full_text=full_text, start=start,
                                            end=start + len(phrase), exact=phrase, user=user)


def test_it_imports_its_own_export_with_the_same_sources_excerpts_and_anchors(
        attached, review, fresh, editor, commits):
    _anchor(attached, PHRASE, editor)
    _anchor(attached, "Collaboration improved outcomes", editor)
    data = qdpx_bytes(review)
    with commits(execute=True):
        report = import_qdpx(review=fresh, handle=io.BytesIO(data), size=len(data), user=editor)
    assert report.sources == ["smith2021"] and report.excerpts == 2
    source = SourceDocument.objects.get(review=fresh)
    assert (source.authors, source.year, source.title) == (
        "Smith, J. and Jones, K.", 2021, "Leadership across organisations")
    assert source.full_text.status == "ready" and source.full_text.page_count == 3
    before = sorted(ExcerptAnchor.objects.filter(excerpt__source=attached.source).values_list(
        "page", "start", "end", "exact", "prefix", "suffix"))
    after = sorted(ExcerptAnchor.objects.filter(excerpt__source=source).values_list(
        "page", "start", "end", "exact", "prefix", "suffix"))
    assert after == before
    assert set(Excerpt.objects.filter(source=source).values_list("key", flat=True)) == set(
        Excerpt.objects.filter(source=attached.source).values_list("key", flat=True))


def test_it_imports_the_codebook_of_a_real_atlas_ti_export(fresh, editor):
    data = shared_file("refi-qda", "atlas-ti-23-target-project.qdpx").read_bytes()
    report = import_qdpx(review=fresh, handle=io.BytesIO(data), size=len(data), user=editor)
    assert report.origin.startswith("ATLAS.ti for Windows 23")
    assert report.codes == 3 and report.sources == []
    parent = ImportedCode.objects.get(review=fresh, name="Commits")
    assert parent.children.count() == 2


def test_it_imports_a_codebook_alone(review, fresh, attached):
    from cmocs.models import Context

    Context.objects.create(review=review, key="c-trust", text="Trust between leaders")
    report = import_qdc(review=fresh, data=codebook_qdc(review))
    assert report.codes == 6  # four slot groups, one context, the CMOCs group
    assert ImportedCode.objects.get(review=fresh, name="Context: c-trust").description == (
        "Trust between leaders")


def _zip(members, compress=zipfile.ZIP_DEFLATED):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compress) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


QDE = (b'<?xml version="1.0"?><Project xmlns="urn:QDA-XML:project:1.0" name="x">'
       b'<Sources><TextSource guid="00000000-0000-0000-0000-000000000001" name="a" '
       b'plainTextPath="internal://a.txt"/></Sources></Project>')


@pytest.mark.parametrize("members, problem", [
    ({"project.qde": QDE, "../../evil.txt": b"x"}, "outside itself"),
    ({"project.qde": QDE, "/etc/passwd": b"x"}, "outside itself"),
    ({"project.qde": QDE, "sources/a.txt": b"0" * 5_000_000}, "zip bomb"),
    ({"readme.txt": b"hello"}, "no project.qde"),
    ({"project.qde": b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                     b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><Project>&lol2;</Project>'},
     "document type"),
])
def test_it_refuses_hostile_archives_and_keeps_nothing(fresh, editor, members, problem):
    data = _zip(members)
    with pytest.raises(Refused, match=problem):
        import_qdpx(review=fresh, handle=io.BytesIO(data), size=len(data), user=editor)
    assert not SourceDocument.objects.filter(review=fresh).exists()


def test_it_refuses_a_member_larger_than_declared(fresh, editor):
    data = bytearray(_zip({"project.qde": QDE, "sources/a.txt": b"A" * 1000},
                          compress=zipfile.ZIP_STORED))
    # Lie in both headers: declare 10 bytes for a 1000-byte member.
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.find(signature, data.find(b"sources/a.txt") - 60)
        at = data.rfind(signature, 0, data.find(b"sources/a.txt", at if at >= 0 else 0))
        data[at + offset:at + offset + 4] = (10).to_bytes(4, "little")
    with pytest.raises(Refused, match="does not match what the archive declares"):
        import_qdpx(review=fresh, handle=io.BytesIO(bytes(data)), size=len(data), user=editor)
    assert not SourceDocument.objects.filter(review=fresh).exists()


def test_it_refuses_an_archive_over_the_size_limit(fresh, editor, settings):
    settings.QDPX_MAX_BYTES = 10
    with pytest.raises(Refused, match="limit for a .qdpx is 10 bytes"):
        import_qdpx(review=fresh, handle=io.BytesIO(b"x" * 20), size=20, user=editor)


def test_it_reports_what_it_ignored(fresh, editor, commits):
    qde = (b'<?xml version="1.0"?><Project xmlns="urn:QDA-XML:project:1.0" name="x"><Sources>'
           b'<TextSource guid="00000000-0000-0000-0000-000000000001" name="Interview 1">'
           b'<PlainTextContent>We trusted the new leaders.</PlainTextContent>'
           b'<PlainTextSelection guid="00000000-0000-0000-0000-000000000002" startPosition="3"'
           b' endPosition="10"/>'
           b'<PlainTextSelection guid="00000000-0000-0000-0000-000000000003" startPosition="3"'
           b' endPosition="999"/></TextSource>'
           b'<PictureSource guid="00000000-0000-0000-0000-000000000004" name="photo"/>'
           b'</Sources><Sets><Set guid="00000000-0000-0000-0000-000000000005" name="s"/></Sets>'
           b'</Project>')
    data = _zip({"project.qde": qde})
    with commits(execute=True):
        report = import_qdpx(review=fresh, handle=io.BytesIO(data), size=len(data), user=editor)
    assert report.sources == ["interview-1"] and report.excerpts == 1
    assert any("PictureSource 'photo'" in line for line in report.ignored)
    assert any("outside its source's text" in line for line in report.ignored)
    assert any(line.startswith("Sets") for line in report.ignored)
    anchor = ExcerptAnchor.objects.get(excerpt__source__review=fresh)
    assert anchor.exact == "trusted" and not anchor.orphaned

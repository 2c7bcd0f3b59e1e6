"""A REFI-QDA project (.qdpx) or codebook (.qdc) from NVivo, ATLAS.ti, MAXQDA or QualCoder
into a review: sources with their text, selections as anchored excerpts, codes kept for
the mapping step. What could not be brought in is listed in the report, never dropped
silently."""

import bisect
import uuid
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.text import slugify

from evidence.fulltexts import anchors, services
from evidence.fulltexts.extraction import Refused as FileRefused
from evidence.fulltexts.extraction import normalise
from evidence.importers.refiqda import CODEBOOK_NS, PROJECT_NS
from evidence.importers.refiqda.safety import Refused, SafeArchive, parse_xml
from evidence.models import Excerpt, ExcerptAnchor, ImportedCode, SourceDocument

_IGNORED_SOURCES = ("PictureSource", "AudioSource", "VideoSource")
_IGNORED_PARTS = ("Cases", "Sets", "Graphs", "Links")
# Tools whose positions count UTF-16 code units rather than characters (see _positions).
_UTF16_ORIGINS = ("NVivo",)


@dataclass
class Report:
    origin: str = ""
    sources: list = field(default_factory=list)
    excerpts: int = 0
    codes: int = 0
    codings: int = 0
    ignored: list = field(default_factory=list)
    full_texts: list = field(default_factory=list)
    job: int | None = None
    notes: list = field(default_factory=list)

    def as_dict(self):
        return {"origin": self.origin, "sources": self.sources, "excerpts": self.excerpts,
                "codes": self.codes, "codings": self.codings, "ignored": self.ignored,
                "notes": self.notes, "job": self.job}


def _q(tag, ns=PROJECT_NS):
    return f"{{{ns}}}{tag}"


def import_qdpx(*, review, handle, size, user) -> Report:
    """Import a .qdpx archive into the review (one transaction; nothing is kept if it fails)."""
    archive = SafeArchive(handle, size=size)
    root = parse_xml(archive.read("project.qde"))
    if root.tag != _q("Project"):
        raise Refused("project.qde is not a QDA-XML Project document.")
    return _import_project(review=review, root=root, archive=archive, user=user)


def import_qdc(*, review, data: bytes) -> Report:
    """Import a codebook (.qdc) alone: its codes wait for the mapping step."""
    if len(data) > 10 * 1024 * 1024:
        raise Refused("The codebook is larger than 10 MB.")
    root = parse_xml(data)
    if root.tag != _q("CodeBook", CODEBOOK_NS):
        raise Refused("The file is not a QDA-XML codebook (no CodeBook root element).")
    report = Report(origin=root.get("origin", ""))
    with transaction.atomic():
        _codes(review, root.find(_q("Codes", CODEBOOK_NS)), None, report, {}, CODEBOOK_NS)
    return report


@transaction.atomic
def _import_project(*, review, root, archive, user):
    report = Report(origin=root.get("origin", ""))
    codes = {}
    codebook = root.find(_q("CodeBook"))
    if codebook is not None:
        _codes(review, codebook.find(_q("Codes")), None, report, codes, PROJECT_NS)
    variables = {v.get("guid"): v.get("name") for v in root.iter(_q("Variable"))}
    sources = root.find(_q("Sources"))
    for element in (sources if sources is not None else []):
        tag = element.tag.split("}")[-1]
        if tag in _IGNORED_SOURCES:
            report.ignored.append(f"{tag} {element.get('name', '')!r}: ichub reads text and PDF "
                                  "sources only.")
        elif tag in ("TextSource", "PDFSource"):
            _source(review, element, tag, archive, variables, codes, report, user)
    if report.full_texts:
        # One extraction job for all the stored files; when it stores their pages it checks
        # the anchors made above from the project's text (re-anchoring any that moved).
        report.job = services.start_extraction(full_texts=report.full_texts, user=user,
                                               review=review).pk
    for part in _IGNORED_PARTS:
        if root.find(_q(part)) is not None:
            report.ignored.append(f"{part}: not part of ichub's model.")
    if root.find(_q("Notes")) is not None:
        report.ignored.append("Notes: kept in the .qdpx only; ichub's notes are link notes "
                              "and lineage rationales.")
    return report


def _codes(review, parent_element, parent, report, codes, ns):
    if parent_element is None:
        return
    for element in parent_element.findall(_q("Code", ns)):
        code, _ = ImportedCode.objects.update_or_create(
            review=review, guid=element.get("guid", "").strip("{}").lower(),
            defaults={"name": (element.get("name") or "")[:500],
                      "description": element.findtext(_q("Description", ns)) or "",
                      "parent": parent, "origin": report.origin[:200]})
        codes[code.guid] = code
        report.codes += 1
        _codes(review, element, code, report, codes, ns)


def _source(review, element, tag, archive, variables, codes, report, user):
    name = element.get("name") or element.get("guid")
    text_holder = element if tag == "TextSource" else element.find(_q("Representation"))
    text = _text_of(text_holder, archive) if text_holder is not None else None
    meta = {variables.get(v.find(_q("VariableRef")).get("targetGUID")): v.findtext(_q("TextValue"))
            for v in element.findall(_q("VariableValue")) if v.find(_q("VariableRef")) is not None}
    source = _new_source(review, name, element.findtext(_q("Description")), meta, user)
    if source is None:
        report.ignored.append(f"{tag} {name!r}: a source with its citation key exists already.")
        return
    try:
        if tag == "PDFSource":
            data = archive.internal(element.get("path"))
            if data is None:
                raise FileRefused("its PDF is not inside the archive")
            full_text = services.attach_full_text(source=source, data=data, name=f"{name}.pdf",
                                                  user=user, extract=False)
        elif text is not None:
            full_text = services.attach_full_text(source=source, data=text.encode("utf-8"),
                                                  name=f"{name}.txt", user=user, extract=False)
        else:
            raise FileRefused("it has no text")
    except FileRefused as refusal:
        report.ignored.append(f"{tag} {name!r}: full text not stored ({refusal}).")
        report.sources.append(source.citation_key)
        return
    report.sources.append(source.citation_key)
    report.full_texts.append(full_text)
    if text is None:
        if text_holder is None and element.findall(_q("PDFSelection")):
            report.ignored.append(f"{tag} {name!r}: PDF area selections need a text "
                                  "representation; not imported.")
        return
    position = _positions(text, report)
    for selection in text_holder.findall(_q("PlainTextSelection")):
        _selection(source, full_text, text, selection, codes, report, user, position)


def _positions(text, report):
    """How the exporting tool counted characters: a function from its positions to ours.

    REFI-QDA says "characters"; ichub (and QualCoder) count code points, but
    NVivo counts UTF-16 code units, so every emoji or other character outside
    the Basic Multilingual Plane before a selection moves it one further
    (seen in a real NVivo 12 export of YouTube comments).
    """
    if not report.origin.startswith(_UTF16_ORIGINS):
        return lambda at: at
    after_astral, units = [], 0
    for char in text:
        units += 2 if ord(char) > 0xFFFF else 1
        if ord(char) > 0xFFFF:
            after_astral.append(units)
    if not after_astral:
        return lambda at: at
    note = f"Positions read as UTF-16 code units, as {report.origin} counts them."
    if note not in report.notes:
        report.notes.append(note)
    return lambda at: at - bisect.bisect_right(after_astral, at)


def _text_of(holder, archive):
    content = holder.findtext(_q("PlainTextContent"))
    if content is not None:
        return content
    data = archive.internal(holder.get("plainTextPath"))
    if data is None:
        return None
    return data.decode("utf-8-sig", errors="replace")


def _new_source(review, name, description, meta, user):
    key = slugify(meta.get("citation_key") or name)[:90] or f"qdpx-{uuid.uuid4().hex[:8]}"
    if SourceDocument.objects.filter(review=review, citation_key=key).exists():
        return None
    year = meta.get("year")
    kind = meta.get("kind")
    return SourceDocument.objects.create(
        review=review, citation_key=key, title=meta.get("title") or description or name,
        authors=meta.get("authors") or "", year=int(year) if (year or "").isdigit() else None,
        doi=meta.get("doi") or "", created_by=user,
        kind=kind if kind in SourceDocument.Kind.values else SourceDocument.Kind.OTHER)


def _selection(source, full_text, text, selection, codes, report, user, position):
    try:
        start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
    except (TypeError, ValueError):
        report.ignored.append(f"Selection {selection.get('guid')}: positions are not numbers.")
        return
    start, end = position(start), position(end)
    if not 0 <= start < end <= len(text):
        report.ignored.append(f"Selection {selection.get('guid')}: positions {start}–{end} lie "
                              f"outside its source's text (0–{len(text)}).")
        return
    quote = anchors.quote_at(text, start, end)
    key = slugify(selection.get("name") or "")[:90]
    if not key or Excerpt.objects.filter(source=source, key=key).exists():
        key = f"x-{uuid.uuid4().hex[:10]}"
    excerpt = Excerpt.objects.create(
        source=source, key=key, created_by=user, kind=Excerpt.Kind.QUOTE,
        text=selection.findtext(_q("Description")) or quote.exact.strip() or quote.exact)
    # Offsets are the other tool's; extraction re-anchors them on our text by the quote.
    ExcerptAnchor.objects.create(
        excerpt=excerpt, full_text=full_text, page=1, start=start, end=end,
        exact=normalise(quote.exact)[:-1] if "\r" in quote.exact else quote.exact,
        prefix=quote.prefix, suffix=quote.suffix)
    report.excerpts += 1
    for ref in selection.iter(_q("CodeRef")):
        code = codes.get((ref.get("targetGUID") or "").strip("{}").lower())
        if code is not None:
            code.excerpts.add(excerpt)
            report.codings += 1

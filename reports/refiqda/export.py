"""A review as a REFI-QDA project (.qdpx) and its codebook alone (.qdc).

The codebook holds one code per CMOC element (under Context, Mechanism
(resource), Mechanism (reasoning) and Outcome) and one per CMOC. Each full text
is a source (a PDF with its text as the Representation, or a text source), each
anchored excerpt a PlainTextSelection at the same offsets, coded with the CMOCs
and elements its evidence links name; link notes and stances and lineage
rationales travel as notes. Source metadata travels as variables so an import
can rebuild the reference. GUIDs derive from the review and row ids, so two
exports of the same data are the same.
"""

import io
import uuid
import zipfile
from datetime import UTC

from django.db.models import Prefetch
from lxml import etree

from cmocs.models import CMOC, Context, EvidenceLink, LineageEvent, Mechanism, Outcome
from evidence.importers.refiqda import CODEBOOK_NS, PROJECT_NS
from evidence.models import ExcerptAnchor, FullText
from ichub.models import Membership

_NAMESPACE = uuid.UUID("5b0c3f52-7a8e-4a55-9f65-2f2a4c1e9d10")
ORIGIN = "ichub"
SLOT_GROUPS = [
    ("context", "Context", "#5b3a8c"),
    ("mechanism_resource", "Mechanism (resource)", "#0b5394"),
    ("mechanism_reasoning", "Mechanism (reasoning)", "#8a4b00"),
    ("outcome", "Outcome", "#1e6b34"),
]
VARIABLES = ["citation_key", "authors", "year", "title", "doi", "kind"]
_FIXED_TIME = (2000, 1, 1, 0, 0, 0)


def guid(review, *parts):
    return str(uuid.uuid5(_NAMESPACE, "/".join([review.slug, *map(str, parts)])))


def _when(moment):
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def _sub(parent, tag, ns=PROJECT_NS, text=None, **attrs):
    element = etree.SubElement(parent, f"{{{ns}}}{tag}",
                               {k: str(v) for k, v in attrs.items() if v is not None})
    if text is not None:
        element.text = text
    return element


class _Codebook:
    """The code tree, remembering which GUID stands for which element and CMOC."""

    def __init__(self, review, ns):
        self.review, self.ns = review, ns
        self.element_guid, self.cmoc_guid = {}, {}

    def build(self, parent, *, notes_for_cmoc=None):
        codes = _sub(parent, "Codes", self.ns)
        models = {"context": Context.objects.filter(review=self.review),
                  "mechanism_resource": Mechanism.objects.filter(review=self.review,
                                                                 kind="resource"),
                  "mechanism_reasoning": Mechanism.objects.filter(review=self.review,
                                                                  kind="reasoning"),
                  "outcome": Outcome.objects.filter(review=self.review)}
        for slot, label, colour in SLOT_GROUPS:
            group = _sub(codes, "Code", self.ns, guid=guid(self.review, "slot", slot),
                         name=label, isCodable="false", color=colour)
            for element in models[slot].order_by("key"):
                code_guid = guid(self.review, slot, element.pk)
                self.element_guid[(slot, element.pk)] = code_guid
                code = _sub(group, "Code", self.ns, guid=code_guid,
                            name=f"{label}: {element.key}", isCodable="true", color=colour)
                _sub(code, "Description", self.ns, text=element.text)
        group = _sub(codes, "Code", self.ns, guid=guid(self.review, "slot", "cmocs"),
                     name="CMOCs", isCodable="false")
        for cmoc in CMOC.objects.for_review(self.review).order_by("stage", "code", "id"):
            code_guid = guid(self.review, "cmoc", cmoc.pk)
            self.cmoc_guid[cmoc.pk] = code_guid
            code = _sub(group, "Code", self.ns, guid=code_guid,
                        name=f"{cmoc.code} ({cmoc.get_stage_display().lower()})",
                        isCodable="true")
            _sub(code, "Description", self.ns, text=cmoc.statement)
            for note_guid in (notes_for_cmoc or {}).get(cmoc.pk, []):
                _sub(code, "NoteRef", self.ns, targetGUID=note_guid)
        return codes


def codebook_qdc(review) -> bytes:
    """The review's codebook as a .qdc document."""
    root = etree.Element(f"{{{CODEBOOK_NS}}}CodeBook", nsmap={None: CODEBOOK_NS},
                         origin=ORIGIN)
    _Codebook(review, CODEBOOK_NS).build(root)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def project_qde(review):
    """The project.qde document and the files it names, as (bytes, {zip name: bytes})."""
    root = etree.Element(f"{{{PROJECT_NS}}}Project", nsmap={None: PROJECT_NS},
                         name=review.title or review.slug, origin=ORIGIN)
    users = {}
    memberships = Membership.objects.filter(review=review).select_related("user")
    for membership in memberships.order_by("user__username"):
        users[membership.user_id] = (guid(review, "user", membership.user_id),
                                     membership.user.get_username())

    def user_guid(user_id):
        if user_id is None:
            return None
        if user_id not in users:
            from django.contrib.auth import get_user_model

            name = get_user_model().objects.filter(pk=user_id).values_list(
                "username", flat=True).first()
            users[user_id] = (guid(review, "user", user_id), name or f"user {user_id}")
        return users[user_id][0]

    notes = []  # (guid, name, text)
    notes_for_cmoc = {}
    events = LineageEvent.objects.filter(review=review).exclude(rationale="").prefetch_related(
        "outputs").order_by("id")
    for event in events:
        note_guid = guid(review, "lineage", event.pk)
        notes.append((note_guid, f"{event.get_kind_display()}: rationale", event.rationale))
        for cmoc in event.outputs.all():
            notes_for_cmoc.setdefault(cmoc.pk, []).append(note_guid)

    users_element = _sub(root, "Users")
    codebook = _Codebook(review, PROJECT_NS)
    codebook_element = _sub(root, "CodeBook")
    codebook.build(codebook_element, notes_for_cmoc=notes_for_cmoc)

    variables = _sub(root, "Variables")
    for name in VARIABLES:
        _sub(variables, "Variable", guid=guid(review, "variable", name), name=name,
             typeOfVariable="Text")

    files = {}
    links = EvidenceLink.objects.select_related("cmoc").order_by("id")
    anchors = (ExcerptAnchor.objects.filter(orphaned=False).select_related("excerpt")
               .prefetch_related(Prefetch("excerpt__evidence_links", queryset=links))
               .order_by("start", "id"))
    full_texts = FullText.objects.for_review(review).filter(
        status=FullText.Status.READY).select_related("source").prefetch_related(
        Prefetch("anchors", queryset=anchors)).order_by("source__citation_key")
    sources = _sub(root, "Sources")
    for full_text in full_texts:
        source = full_text.source
        source_guid = guid(review, "source", source.pk)
        text_guid = guid(review, "text", source.pk)
        text = "".join(full_text.pages.order_by("number").values_list("text", flat=True))
        files[f"sources/{text_guid}.txt"] = text.encode("utf-8")
        common = {"name": source.short_citation,
                  "creatingUser": user_guid(full_text.uploaded_by_id),
                  "creationDateTime": _when(full_text.uploaded_at)}
        if full_text.format == FullText.Format.PDF:
            with full_text.file.open("rb") as handle:
                files[f"sources/{source_guid}.pdf"] = handle.read()
            outer = _sub(sources, "PDFSource", guid=source_guid,
                         path=f"internal://{source_guid}.pdf", **common)
            _sub(outer, "Description", text=source.title)
            holder = _sub(outer, "Representation", guid=text_guid,
                          plainTextPath=f"internal://{text_guid}.txt", name=source.short_citation)
        else:
            outer = holder = _sub(sources, "TextSource", guid=text_guid,
                                  plainTextPath=f"internal://{text_guid}.txt", **common)
            _sub(outer, "Description", text=source.title)
        for anchor in full_text.anchors.all():
            _selection(holder, review, anchor, codebook, notes, user_guid)
        for name in VARIABLES:
            value = getattr(source, name)
            if value in (None, ""):
                continue
            variable_value = _sub(outer, "VariableValue")
            _sub(variable_value, "VariableRef", targetGUID=guid(review, "variable", name))
            _sub(variable_value, "TextValue", text=str(value))

    for user_id, (user_guid_value, name) in sorted(users.items()):
        _sub(users_element, "User", guid=user_guid_value, name=name, id=str(user_id))
    if not len(users_element):
        root.remove(users_element)
    if not len(sources):
        root.remove(sources)
    if notes:
        notes_element = _sub(root, "Notes")
        for note_guid, name, text in notes:
            note = _sub(notes_element, "Note", guid=note_guid, name=name)
            _sub(note, "PlainTextContent", text=text)
    if review.question:
        _sub(root, "Description", text=review.question)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True), files


def _selection(holder, review, anchor, codebook, notes, user_guid):
    excerpt = anchor.excerpt
    selection = _sub(holder, "PlainTextSelection", guid=guid(review, "excerpt", excerpt.pk),
                     name=excerpt.key, startPosition=anchor.start, endPosition=anchor.end,
                     creatingUser=user_guid(excerpt.created_by_id),
                     creationDateTime=_when(excerpt.created_at))
    if excerpt.text != anchor.exact.strip():
        _sub(selection, "Description", text=excerpt.text)
    coded = set()
    note_refs = []
    for link in excerpt.evidence_links.all():
        targets = [codebook.cmoc_guid.get(link.cmoc_id)]
        element_id = getattr(link.cmoc, f"{link.element}_id", None)
        if element_id:
            targets.append(codebook.element_guid.get((link.element, element_id)))
        for target in targets:
            if target and target not in coded:
                coded.add(target)
                coding = _sub(selection, "Coding",
                              guid=guid(review, "coding", excerpt.pk, target),
                              creatingUser=user_guid(link.created_by_id),
                              creationDateTime=_when(link.created_at))
                _sub(coding, "CodeRef", targetGUID=target)
        note_guid = guid(review, "link", link.pk)
        text = f"{link.get_stance_display()} {link.cmoc.code} ({link.get_element_display()})"
        if link.note:
            text += f": {link.note}"
        if link.is_project_reading:  # never let another tool take ichub's reading for the paper's
            text += f" [ichub's reading, not the source's: {link.reading}]"
        notes.append((note_guid, "Evidence link", text))
        note_refs.append(note_guid)
    for note_guid in note_refs:
        _sub(selection, "NoteRef", targetGUID=note_guid)


def qdpx_bytes(review) -> bytes:
    """The .qdpx archive: project.qde and the source files, with fixed timestamps."""
    qde, files = project_qde(review)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in [("project.qde", qde), *sorted(files.items())]:
            archive.writestr(zipfile.ZipInfo(name, _FIXED_TIME), data,
                             compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()

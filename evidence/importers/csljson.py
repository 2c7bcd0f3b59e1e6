"""CSL-JSON (Zotero's, pandoc's and citeproc's format): an array of items, read with orjson."""

import orjson

from evidence.importers.batches import converted, ignore
from evidence.importers.errors import ImportRefused
from evidence.importers.records import ReferenceRecord, split_keywords, year_from
from evidence.importers.types import CSL_TYPES


def parse_csljson(text, on_read=ignore):
    """Batches of the items of a CSL-JSON file.

    orjson reads the whole array first: a fraction of a second for 100,000
    items, where converting them takes seconds (ijson would stream the array,
    but several times slower), so the text is kept whole.
    """
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError as error:
        raise ImportRefused(f"The file is not valid JSON: {error}.") from None
    items = data if isinstance(data, list) else [data]
    on_read(0, len(items))
    yield from converted(items, _from_item)


def _from_item(position, item):
    if not isinstance(item, dict):
        return ReferenceRecord(position=position, error="The item is not a JSON object.")
    notes = []
    reference_type = _text(item.get("type"))
    if reference_type and reference_type not in CSL_TYPES:
        notes.append(f"unknown CSL type {reference_type!r}: kept untyped")
        reference_type = ""
    title = _text(item.get("title"))
    if not title and _text(item.get("title-short")):
        title = _text(item.get("title-short"))
        notes.append("no title: the short title was used")
    return ReferenceRecord(
        position=position,
        reference_type=reference_type,
        genre=_text(item.get("genre")),
        authors=_names(item.get("author")),
        editors=_names(item.get("editor")),
        year=_year(item.get("issued")),
        title=title,
        container=_text(item.get("container-title")),
        publisher=_text(item.get("publisher")),
        volume=_text(item.get("volume")),
        issue=_text(item.get("issue")),
        pages=_text(item.get("page")).replace("\u2013", "-"),
        doi=_text(item.get("DOI")),
        url=_text(item.get("URL")),
        abstract=_text(item.get("abstract")),
        keywords=split_keywords(_text(item.get("keyword"))),
        notes=notes,
    )


def _text(value):
    if isinstance(value, list):  # some writers give container-title as a list
        value = next((v for v in value if isinstance(v, str | int | float)), "")
    return str(value).strip() if isinstance(value, str | int | float) else ""


def _names(value):
    """'Family, Given' for each name; a literal (corporate) name as it is."""
    names = []
    for name in value if isinstance(value, list) else []:
        if not isinstance(name, dict):
            continue
        if _text(name.get("literal")):
            names.append(_text(name["literal"]))
            continue
        family = " ".join(
            part for part in (_text(name.get("non-dropping-particle")), _text(name.get("family")))
            if part
        )
        given = _text(name.get("given"))
        suffix = _text(name.get("suffix"))
        names.append(", ".join(part for part in (family, suffix, given) if part))
    return [name for name in names if name]


def _year(issued):
    if not isinstance(issued, dict):
        return year_from(_text(issued))
    parts = issued.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        return year_from(str(parts[0][0]))
    return year_from(_text(issued.get("raw")) or _text(issued.get("literal")))

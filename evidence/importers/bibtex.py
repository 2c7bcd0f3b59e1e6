"""BibTeX via bibtexparser 2: accents and braces decoded, co-authors split, bad blocks reported."""

import bibtexparser
from bibtexparser import middlewares
from bibtexparser.model import DuplicateBlockKeyBlock
from pylatexenc.latex2text import LatexNodes2Text

from evidence.importers.records import ReferenceRecord, first, year_from

_LATEX = LatexNodes2Text()
_CONTAINER_FIELDS = ("journal", "journaltitle", "booktitle", "publisher", "institution", "school")


def parse_bibtex(text):
    library = bibtexparser.parse_string(
        text,
        append_middleware=[
            middlewares.NormalizeFieldKeys(),
            middlewares.SeparateCoAuthors(),
            middlewares.SplitNameParts(),
            middlewares.LatexDecodingMiddleware(),
        ],
    )
    blocks = sorted(
        [*library.entries, *library.failed_blocks], key=lambda block: block.start_line or 0
    )
    return [_from_block(position, block) for position, block in enumerate(blocks, start=1)]


def _from_block(position, block):
    if isinstance(block, DuplicateBlockKeyBlock):
        return ReferenceRecord(
            position=position, error=f"The BibTeX key '{block.key}' is used twice in the file."
        )
    if not hasattr(block, "fields_dict"):
        line = block.start_line + 1 if block.start_line is not None else "?"
        return ReferenceRecord(
            position=position,
            error=f"The record starting on line {line} is malformed BibTeX ({block.error}).",
        )
    fields = {key: field.value for key, field in block.fields_dict.items()}
    return ReferenceRecord(
        position=position,
        authors=[_name(parts) for parts in fields.get("author") or fields.get("editor") or []],
        year=year_from(first(fields.get("year")) or first(fields.get("date"))),
        title=first(fields.get("title")),
        container=next((first(fields[f]) for f in _CONTAINER_FIELDS if fields.get(f)), ""),
        volume=first(fields.get("volume")),
        issue=first(fields.get("number")),
        pages=first(fields.get("pages")).replace("--", "-").replace("\u2013", "-"),
        doi=first(fields.get("doi")),
        url=first(fields.get("url")),
        abstract=first(fields.get("abstract")),
    )


def _name(parts):
    """'Müller, Jörg' from name parts that may still hold LaTeX ('M{\\"u}ller')."""
    if isinstance(parts, str):
        return _LATEX.latex_to_text(parts).strip()
    last = _LATEX.latex_to_text(" ".join([*parts.von, *parts.last])).strip()
    given = _LATEX.latex_to_text(" ".join(parts.first)).strip()
    suffix = _LATEX.latex_to_text(" ".join(parts.jr)).strip()
    return ", ".join(part for part in (last, suffix, given) if part)

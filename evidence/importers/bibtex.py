"""BibTeX via bibtexparser 2: text fields decoded from LaTeX, identifiers taken verbatim.

What real exports need beyond the parser's defaults:
- Only text fields (title, journal, abstract, names…) are LaTeX; `url`, `doi`,
  `eprint` and `file` are taken as written, so a Scopus URL keeps its `&` and
  `%2f` and a DOI its `~`.
- `%` inside a value is a percent sign, not a comment: Scopus does not escape
  it, and "Effect of 5% dextrose" must not end at "5".
- A macro keeps its text: `\\TeX` is "TeX", `\\mbox{X}` is "X", and a macro
  pylatexenc does not know keeps its name, rather than vanishing.
- An entry with a repeated field (Scopus repeats `funding_details`) is kept
  with the field's first value, and the report says so.
- Editors are editors, a book title is the container of a chapter or paper,
  and the entry type becomes a CSL type.
"""

import re

from bibtexparser import middlewares
from bibtexparser.middlewares.names import (
    parse_single_name_into_parts,
    split_multiple_persons_names,
)
from bibtexparser.middlewares.parsestack import default_parse_stack
from bibtexparser.model import DuplicateBlockKeyBlock, DuplicateFieldKeyBlock, Entry
from bibtexparser.splitter import Splitter
from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec
from pylatexenc.latex2text import get_default_latex_context_db as text_context_db
from pylatexenc.latexwalker import LatexWalker, get_default_latex_context_db

from evidence.importers import batches
from evidence.importers.batches import ignore
from evidence.importers.records import ReferenceRecord, first, split_keywords, year_from
from evidence.importers.types import bibtex_genre, csl_from_bibtex

# pylatexenc rebuilds its macro database on every call unless given one; building it
# once makes decoding 1,000 entries ~10x faster, and plain text skips the parser.
_LATEX_CONTEXT = get_default_latex_context_db()
_LOGOS = {"TeX": "TeX", "LaTeX": "LaTeX", "LaTeXe": "LaTeX2e", "BibTeX": "BibTeX",
          "METAFONT": "METAFONT", "MF": "METAFONT", "XeTeX": "XeTeX", "LuaTeX": "LuaTeX",
          "AmS": "AMS", "AMS": "AMS", "SliTeX": "SliTeX", "ConTeXt": "ConTeXt"}
_BOXES = ("mbox", "hbox", "fbox", "makebox", "text", "textnormal", "relax")
_TEXT_CONTEXT = text_context_db()
_TEXT_CONTEXT.add_context_category(
    "ichub-keep-text",
    prepend=True,
    macros=[MacroTextSpec(name, discard=False) for name in _BOXES]
    # pylatexenc reads this as the modifier letter ˆ; in a BibTeX value it is a caret.
    + [MacroTextSpec("textasciicircum", simplify_repl="^")],
)
_ENTRY_START = re.compile(r"^\s*@", re.MULTILINE)
_LATEX_MARKUP = re.compile(r"[\\{}$~^_%&]")
_UNESCAPED_PERCENT = re.compile(r"(?<!\\)%")
_VERBATIM_FIELDS = {"url", "doi", "eprint", "file", "isbn", "issn", "pmid"}
_PLAIN_FIELDS = {"year", "date", "volume", "number", "pages", "issue"}

_PUBLISHER_FIELDS = ("publisher", "institution", "school", "organization")
_MONTHS = {
    month[:3].lower(): month
    for month in "January February March April May June July August September October "
    "November December".split()
}


class _KeepMacroText(LatexNodes2Text):
    def macro_node_to_text(self, node):
        """A logo keeps its text and the space after it; an unknown macro keeps its name."""
        if node.macroname in _LOGOS:
            return _LOGOS[node.macroname] + node.macro_post_space
        known = self.latex_context.get_macro_spec(node.macroname) is not None
        has_args = node.nodeargd is not None and bool(node.nodeargd.argnlist)
        if not known and not has_args and node.macroname.isalpha():
            return node.macroname + node.macro_post_space
        return super().macro_node_to_text(node)


_TO_TEXT = _KeepMacroText(latex_context=_TEXT_CONTEXT)


class _ReportingSplitter(Splitter):
    """bibtexparser's own splitter, saying every READ_BATCH blocks how far it got.

    BibTeX keeps the whole text: bibtexparser 2 reads a string (it has no
    incremental reader), and what one entry means depends on the whole file
    (@string macros defined anywhere before use, a key used twice). Splitting
    100,000 entries takes seconds, so its progress is reported from inside its
    loop (`_close_block` ends each @-block) rather than by splitting the file
    ourselves, which would have to reproduce its error recovery exactly.
    """

    def __init__(self, text, on_read, expected):
        super().__init__(text)
        self.on_read, self.expected, self.blocks = on_read, expected, 0

    def _close_block(self):
        super()._close_block()
        self.blocks += 1
        if self.blocks % batches.READ_BATCH == 0:
            self.on_read(min(self.blocks, self.expected), self.expected)


def parse_bibtex(text, on_read=ignore):
    """Batches of the file's entries (and failed blocks), in the file's order."""
    expected = len(_ENTRY_START.findall(text))
    on_read(0, expected)
    library = _ReportingSplitter(text, on_read, expected).split()
    del text  # the blocks hold their own text
    # What bibtexparser.parse_string runs after splitting.
    for middleware in [*default_parse_stack(allow_inplace_modification=True),
                       middlewares.NormalizeFieldKeys()]:
        library = middleware.transform(library=library)
    blocks = sorted(
        [*library.entries, *library.failed_blocks], key=lambda block: block.start_line or 0
    )
    strings = {**_MONTHS, **{s.key.lower(): s.value for s in library.strings}}
    del library
    yield from batches.converted(
        blocks, lambda position, block: _from_block(position, block, strings))


def _concatenated(value, strings):
    """`"Proc. Fifteenth Annual" # STOC` joined, with @string macros and months resolved.

    bibtexparser 2 resolves a field that is one macro, not a concatenation.
    """
    pieces, depth, quoted, current = [], 0, False, ""
    for char in value:
        if char == "#" and depth == 0 and not quoted:
            pieces.append(current.strip())
            current = ""
            continue
        depth += {"{": 1, "}": -1}.get(char, 0) if not quoted or char != '"' else 0
        quoted = not quoted if char == '"' and depth == 0 else quoted
        current += char
    pieces.append(current.strip())
    text = ""
    for piece in pieces:
        if len(piece) >= 2 and (piece[0], piece[-1]) in (("{", "}"), ('"', '"')):
            text += piece[1:-1]
        else:
            text += strings.get(piece.lower(), piece)
    return text


def _from_block(position, block, strings):
    notes = []
    if isinstance(block, DuplicateBlockKeyBlock):
        return ReferenceRecord(
            position=position, error=f"The BibTeX key '{block.key}' is used twice in the file."
        )
    if isinstance(block, DuplicateFieldKeyBlock):
        repeated = ", ".join(sorted(block.duplicate_keys))
        notes.append(f"repeated field {repeated}: the first value was kept")
        block = block.ignore_error_block
        for field in block.fields:  # the parser's middlewares never saw this block
            field.value = _unenclosed(field.value)
    if not isinstance(block, Entry):
        line = block.start_line + 1 if block.start_line is not None else "?"
        return ReferenceRecord(
            position=position,
            error=f"The record starting on line {line} is malformed BibTeX ({block.error}).",
        )
    try:
        return _record(position, block, notes, strings)
    except RecursionError:  # pylatexenc recurses once per brace or macro level
        return ReferenceRecord(
            position=position,
            error=f"The record '{block.key}' has braces or macros nested too deeply to read.",
        )


def _record(position, block, notes, strings):
    fields = {}
    for field in block.fields:  # the first of a repeated field wins
        value = field.value
        if getattr(field, "enclosing", None) == "no-enclosing" and "#" in str(value):
            value = _concatenated(str(value), strings)
        fields.setdefault(field.key.lower(), _value(field.key.lower(), value))
    entry_type = block.entry_type.lower()
    reference_type = csl_from_bibtex(entry_type, fields.get("entrysubtype", ""))
    container = fields.get("journal") or fields.get("journaltitle") or fields.get("booktitle")
    publisher = next((fields[f] for f in _PUBLISHER_FIELDS if fields.get(f)), "")
    if not container and reference_type not in ("book", "report", "thesis"):
        container = publisher  # a misc entry citing only its publisher keeps it visible
    return ReferenceRecord(
        position=position,
        reference_type=reference_type,
        genre=bibtex_genre(entry_type, fields.get("type", "")),
        authors=_names(fields.get("author", "")),
        editors=_names(fields.get("editor", "")),
        year=year_from(fields.get("year") or fields.get("date")),
        title=fields.get("title", ""),
        container=container or "",
        publisher=publisher,
        volume=fields.get("volume", ""),
        issue=fields.get("number", "") or fields.get("issue", ""),
        pages=fields.get("pages", "").replace("--", "-").replace("\u2013", "-"),
        doi=fields.get("doi", ""),
        url=first(fields.get("url", "").split()),
        abstract=fields.get("abstract", ""),
        keywords=split_keywords(fields.get("keywords", "")),
        notes=notes,
    )


def _unenclosed(value):
    value = str(value).strip()
    if len(value) >= 2 and (value[0], value[-1]) in (("{", "}"), ('"', '"')):
        return value[1:-1]
    return value


def _value(key, value):
    """A field's text: verbatim for identifiers, braces dropped for numbers, else decoded."""
    value = str(value)
    if key in _VERBATIM_FIELDS:
        return value.strip().strip("{}").strip()
    if key in _PLAIN_FIELDS:
        return value.replace("{", "").replace("}", "").strip()
    if key in ("author", "editor"):
        return value  # split into names first: decoding could turn '{and}' into 'and'
    if key == "abstract":
        return _decode(value).strip()  # its spacing and paragraphs are the author's
    return " ".join(_decode(value).split())


def _decode(value):
    """Text of a LaTeX value: accents and braces resolved ('{\\'e}tude' → 'étude')."""
    if not _LATEX_MARKUP.search(value):
        return value
    value = _UNESCAPED_PERCENT.sub(r"\\%", value)
    walker = LatexWalker(value, latex_context=_LATEX_CONTEXT, tolerant_parsing=True)
    nodes, _, _ = walker.get_latex_nodes()
    return _TO_TEXT.nodelist_to_text(nodes)


def _names(value):
    return [_name(name) for name in split_multiple_persons_names(value) if name.strip()]


def _name(name):
    """'Müller, Jörg' from a BibTeX name that may still hold LaTeX ('M{\\"u}ller')."""
    if name.startswith("{") and name.endswith("}"):  # {World Health Organization}
        return " ".join(_decode(name).split())
    parts = parse_single_name_into_parts(name, strict=False)
    last = _decode(" ".join([*parts.von, *parts.last])).strip()
    given = _decode(" ".join(parts.first)).strip()
    suffix = _decode(" ".join(parts.jr)).strip()
    return ", ".join(part for part in (last, suffix, given) if part)

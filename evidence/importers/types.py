"""Reference types: CSL's vocabulary, and how RIS, BibTeX and MEDLINE names map to and from it.

Every import stores a CSL type (the vocabulary of Zotero, pandoc and
citeproc) and every export maps from it, so a report stays a report and a
book section a book section whichever way a reference travels. A source
with no imported type (one typed in by hand, or imported before types were
kept) gets the type its realist kind suggests.
"""

from evidence.models import SourceDocument

CSL_TYPES = frozenset(
    """article article-journal article-magazine article-newspaper bill book broadcast chapter
    classic collection dataset document entry entry-dictionary entry-encyclopedia event figure
    graphic hearing interview legal_case legislation manuscript map motion_picture
    musical_score pamphlet paper-conference patent performance periodical
    personal_communication post post-weblog regulation report review review-book software
    song speech standard thesis treaty webpage""".split()
)

# RIS TY code → CSL type (the RIS specification's codes, EndNote's and Zotero's).
RIS_TO_CSL = {
    **dict.fromkeys(["JOUR", "JFULL", "EJOUR", "ABST", "INPR"], "article-journal"),
    "MGZN": "article-magazine",
    "NEWS": "article-newspaper",
    **dict.fromkeys(["BOOK", "EBOOK", "EDBOOK", "SER"], "book"),
    **dict.fromkeys(["CHAP", "ECHAP"], "chapter"),
    **dict.fromkeys(["CONF", "CPAPER"], "paper-conference"),
    **dict.fromkeys(["RPRT", "GOVDOC"], "report"),
    "THES": "thesis",
    **dict.fromkeys(["ELEC", "WEB"], "webpage"),
    "BLOG": "post-weblog",
    **dict.fromkeys(["UNPB", "MANSCPT"], "manuscript"),
    "PAMP": "pamphlet",
    **dict.fromkeys(["DATA", "DBASE", "AGGR"], "dataset"),
    "COMP": "software",
    "PAT": "patent",
    **dict.fromkeys(["STAT", "LEGAL"], "legislation"),
    "BILL": "bill",
    "CASE": "legal_case",
    "HEAR": "hearing",
    **dict.fromkeys(["PCOMM", "ICOMM"], "personal_communication"),
    "MAP": "map",
    **dict.fromkeys(["VIDEO", "MPCT"], "motion_picture"),
    "ADVS": "broadcast",
    **dict.fromkeys(["SOUND", "MUSIC"], "song"),
    "ART": "graphic",
    **dict.fromkeys(["FIGURE", "SLIDE", "CHART"], "figure"),
    "STAND": "standard",
    "ENCYC": "entry-encyclopedia",
    "DICT": "entry-dictionary",
    **dict.fromkeys(["CLSWK", "ANCIENT"], "classic"),
    **dict.fromkeys(["GEN", "CTLG"], "document"),
}
# CSL type → the RIS code written for it (the first code above that maps to it).
CSL_TO_RIS = {}
for _code, _csl in RIS_TO_CSL.items():
    CSL_TO_RIS.setdefault(_csl, _code)
CSL_TO_RIS.update({"article": "JOUR", "interview": "PCOMM", "review": "JOUR",
                   "review-book": "JOUR", "regulation": "STAT", "treaty": "STAT",
                   "speech": "CPAPER", "collection": "BOOK", "periodical": "JFULL"})

# EndNote and some databases write a type's name instead of its code.
_RIS_NAMES = {
    "journal article": "article-journal",
    "article": "article-journal",
    "book": "book",
    "book section": "chapter",
    "book chapter": "chapter",
    "edited book": "book",
    "conference paper": "paper-conference",
    "conference proceedings": "paper-conference",
    "report": "report",
    "government document": "report",
    "thesis": "thesis",
    "dissertation": "thesis",
    "web page": "webpage",
    "newspaper article": "article-newspaper",
    "magazine article": "article-magazine",
}

# BibTeX entry type → CSL type (biblatex's names included).
BIBTEX_TO_CSL = {
    "article": "article-journal",
    "book": "book",
    "mvbook": "book",
    "booklet": "pamphlet",
    "inbook": "chapter",
    "incollection": "chapter",
    "inproceedings": "paper-conference",
    "conference": "paper-conference",
    "proceedings": "book",
    "collection": "book",
    "manual": "report",
    "techreport": "report",
    "report": "report",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "thesis": "thesis",
    "unpublished": "manuscript",
    "online": "webpage",
    "electronic": "webpage",
    "www": "webpage",
    "dataset": "dataset",
    "software": "software",
    "patent": "patent",
    "misc": "document",
}
CSL_TO_BIBTEX = {
    "article-journal": "article",
    "article-magazine": "article",
    "article-newspaper": "article",
    "article": "article",
    "review": "article",
    "review-book": "article",
    "book": "book",
    "classic": "book",
    "chapter": "incollection",
    "paper-conference": "inproceedings",
    "report": "techreport",
    "thesis": "phdthesis",
    "pamphlet": "booklet",
    "manuscript": "unpublished",
}

# A source typed by hand has only its realist kind to go on.
_KIND_TO_CSL = {
    SourceDocument.Kind.EMPIRICAL_STUDY: "article-journal",
    SourceDocument.Kind.POLICY_GUIDANCE: "report",
    SourceDocument.Kind.GREY_LITERATURE: "report",
    SourceDocument.Kind.SUBSTANTIVE_THEORY: "book",
    SourceDocument.Kind.KEY_INFORMANT_INTERVIEW: "interview",
}

# Where `container` and `publisher` go: a journal article's container is its
# journal; a chapter's or conference paper's is the book or proceedings.
CONTAINED = {"article-journal", "article-magazine", "article-newspaper", "article", "review",
             "chapter", "paper-conference", "entry-encyclopedia", "entry-dictionary",
             "post-weblog", "webpage"}


# Works whose secondary authors (RIS A2) are editors.
EDITED = {"book", "chapter", "paper-conference", "entry-encyclopedia", "entry-dictionary"}


# Works whose sub-type (CSL genre) exports must keep: RIS writes it in M3
# ("Type of work", also a DOI or "Article" in other databases' records, so it is
# read only for these), BibTeX in `type` or as the entry type (@mastersthesis).
GENRED = {"thesis", "report"}
GOVERNMENT_DOCUMENT = "Government document"
MASTERS_THESIS = "Master's thesis"
# biblatex keeps magazines and newspapers apart from journals by @article's entrysubtype.
BIBTEX_SUBTYPES = {"article-magazine": "magazine", "article-newspaper": "newspaper"}


def ris_genre(code, type_of_work):
    """A report's or thesis's genre from its RIS record: M3, or GOVDOC's own name."""
    if csl_from_ris(code) not in GENRED:
        return ""
    if type_of_work:
        return type_of_work
    return GOVERNMENT_DOCUMENT if (code or "").strip().upper() == "GOVDOC" else ""


def ris_code(reference_type, genre):
    if reference_type == "report" and genre == GOVERNMENT_DOCUMENT:
        return "GOVDOC"
    return CSL_TO_RIS.get(reference_type, "GEN")


def bibtex_entry_type(reference_type, genre):
    if reference_type == "thesis" and "master" in genre.casefold():
        return "mastersthesis"
    return CSL_TO_BIBTEX.get(reference_type, "misc")


def csl_from_bibtex(entry_type, entrysubtype):
    """The CSL type of a BibTeX entry: @article with entrysubtype={magazine} is a magazine's."""
    if entry_type == "article":
        for csl_type, subtype in BIBTEX_SUBTYPES.items():
            if entrysubtype.casefold() == subtype:
                return csl_type
    return BIBTEX_TO_CSL.get(entry_type, "document")


def bibtex_genre(entry_type, type_field):
    """A report's or thesis's genre: its `type` field, else what @mastersthesis says."""
    if BIBTEX_TO_CSL.get(entry_type) not in GENRED:
        return ""
    if type_field:
        return type_field
    return MASTERS_THESIS if entry_type == "mastersthesis" else ""


def csl_from_ris(code):
    code = (code or "").strip()
    return RIS_TO_CSL.get(code.upper()) or _RIS_NAMES.get(code.casefold(), "")


def csl_type_of(source):
    """The CSL type a source is exported as: the imported one, else its kind's."""
    if source.reference_type in CSL_TYPES:
        return source.reference_type
    return _KIND_TO_CSL.get(source.kind, "document")

"""A source's authors (or editors) as one text, and back to names.

The text is what a review's reference list shows: 'Pearson, C. and Watson, N.'.
A corporate name may itself hold "and" ("Department of Health and Social
Care"), so a list with such a name is written with semicolons instead, and a
text holding a semicolon is split on semicolons only: the name stays whole
through every import and export.
"""

import re

# "&" joins names as "and" does ("Smith, J. & Jones, K."), so both mark a meeting point.
_AND = re.compile(r"\s+(?:and|&)\s+")
_AFTER_INITIALS = re.compile(r"(?<=\.),\s+(?=\w)")


def join_names(names):
    """['Pearson, C.', 'Watson, N.'] → 'Pearson, C. and Watson, N.'; '; ' if one holds 'and'/'&'."""
    separator = "; " if any(_AND.search(name) for name in names) else " and "
    return separator.join(names)


def name_groups(text):
    """The text cut where names meet: at semicolons if it has any, else at 'and'."""
    text = text or ""
    return text.split(";") if ";" in text else _AND.split(text)


def split_names(text):
    """'Aufegger, L., Alabi, M. and Darzi, A.' → ['Aufegger, L.', 'Alabi, M.', 'Darzi, A.'].

    A comma after initials separates names only when every piece is then a
    'Surname, Initials' name: 'de Last, Jr., First' stays one name.
    """
    names = []
    for part in name_groups(text):
        pieces = [p.strip() for p in _AFTER_INITIALS.split(part) if p.strip()]
        names += pieces if all("," in p for p in pieces) else [part.strip()]
    return [name for name in names if name]

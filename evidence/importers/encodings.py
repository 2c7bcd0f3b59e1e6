"""Which character encoding an uploaded reference file is in, decided or refused, never guessed.

A file is read as UTF-8 (with or without a byte-order mark) or UTF-16/32 when it
starts with their mark. Anything else goes to charset-normalizer; its answer is
taken only when every plausible reading gives the same text. A short GBK file,
for example, reads as Korean cp949 or as Chinese gb18030 with the same
confidence, so it is refused with both names and the uploader says which one
it is (`encoding=`), rather than 凯撒 being stored as 열힁.
"""

import codecs

import charset_normalizer

from evidence.importers.errors import ImportRefused

_BOMS = [  # longest first: the UTF-32 LE mark starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]
# A reading this chaotic (charset-normalizer's "mess" ratio) is not text.
_MAX_CHAOS = 0.2


def decode_bytes(data: bytes, encoding: str = "") -> tuple[str, str]:
    """(text, encoding used) for the file, or ImportRefused naming what was found."""
    if encoding:
        text = _decode_as(data, encoding)
        return text, codecs.lookup(encoding).name
    for bom, name in _BOMS:
        if data.startswith(bom):
            return _decode_as(data, name), name
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as error:
        utf8_error = error
    if b"\x00" not in data and _mostly_utf8(data):
        line = data.count(b"\n", 0, utf8_error.start) + 1
        raise ImportRefused(
            f"The file is UTF-8 with an invalid byte (0x{data[utf8_error.start]:02x}) on line "
            f"{line}; it was not imported rather than have that text garbled. Save it as "
            "UTF-8 again, or name its encoding."
        )
    return _detected(data)


def _mostly_utf8(data):
    """True when most non-ASCII characters are valid UTF-8: a UTF-8 file with a broken byte.

    Reading such a file as cp1252 would garble every accented letter in it; a
    GBK or cp1252 file, by contrast, is mostly invalid as UTF-8.
    """
    text = data.decode("utf-8", errors="replace")
    broken = text.count("\ufffd")
    valid = sum(1 for ch in text if ord(ch) > 127) - broken
    return valid >= 3 * broken


def _detected(data):
    readings = [
        match
        for match in charset_normalizer.from_bytes(data)
        if match.chaos <= _MAX_CHAOS and match.encoding not in ("utf_8", "ascii")
    ]
    if not readings:
        if b"\x00" in data:
            raise ImportRefused("The file is binary, not a reference file (RIS, BibTeX or nbib).")
        raise ImportRefused(
            "The file is not UTF-8 and no other encoding reads it as text. Save it as UTF-8, "
            "or name its encoding."
        )
    best = min(readings, key=lambda match: match.chaos)
    text = str(best)
    rivals = [m.encoding for m in readings if str(m) != text]
    if rivals:
        names = ", ".join(list(dict.fromkeys([best.encoding, *rivals]))[:5])
        raise ImportRefused(
            f"The file is not UTF-8 and its encoding cannot be told for sure: it reads as "
            f"{names}, each giving different text. Name its encoding (for example gbk or "
            "cp1252), or save it as UTF-8.",
            field="encoding",
        )
    return text, codecs.lookup(best.encoding).name


def _decode_as(data, encoding):
    try:
        text_encoding = codecs.lookup(encoding)._is_text_encoding  # not rot13, zlib, base64
    except (LookupError, TypeError, ValueError):
        text_encoding = False
    if not text_encoding:
        raise ImportRefused(f"Unknown text encoding {encoding!r}.", field="encoding")
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise ImportRefused(
            f"The file is not valid {encoding}: byte 0x{data[error.start]:02x} on line {line} "
            "cannot be read. Name its real encoding, or save it as UTF-8.",
            field="encoding",
        ) from None
    except UnicodeError as error:  # a codec that refuses without a position ('undefined')
        raise ImportRefused(f"The file cannot be read as {encoding}: {error}.",
                            field="encoding") from None

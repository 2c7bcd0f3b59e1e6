"""Which character encoding an uploaded reference file is in, decided or refused, never guessed.

A file is read as UTF-8 (with or without a byte-order mark) or UTF-16/32 when it
starts with their mark. Anything else goes to charset-normalizer; its answer is
taken only when every plausible reading gives the same text. A short GBK file,
for example, reads as Korean cp949 or as Chinese gb18030 with the same
confidence, so it is refused with both names and the uploader says which one
it is (`encoding=`), rather than 凯撒 being stored as 열힁.

The file is a binary stream (a stored upload may be hundreds of megabytes):
deciding reads it chunk by chunk through an incremental decoder and keeps none
of its text; each decoded piece goes to `feed` (the format sniffer, `text`),
so one pass both checks the encoding and finds the format. Only a file that
is not UTF-8 and names no encoding costs more: charset-normalizer reads at
most DETECT_SAMPLE bytes of it (`_sample`), then every reading it offers is
decoded over the whole file, again in chunks, to compare their texts.
"""

import codecs
import hashlib

import charset_normalizer

from evidence.importers.errors import ImportRefused

CHUNK = 1 << 20
# The bytes charset-normalizer sees: a file up to this size is judged whole.
DETECT_SAMPLE = 4 << 20
_BOMS = [  # longest first: the UTF-32 LE mark starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]
# A reading this chaotic (charset-normalizer's "mess" ratio) is not text.
_MAX_CHAOS = 0.2


class _BadByte(Exception):
    def __init__(self, byte, line):
        super().__init__(byte, line)
        self.byte, self.line = byte, line


def read_encoding(stream, encoding, new_feed):
    """The encoding the file is read in, its text passed piece by piece to a fresh
    `new_feed()` (a callable taking (text, final)); or ImportRefused naming what was found.
    """
    if encoding:
        codec = _text_codec(encoding)
        _decode_into(stream, encoding, new_feed(), named=True)
        return codec
    stream.seek(0)
    head = stream.read(4)
    for bom, name in _BOMS:
        if head.startswith(bom):
            _decode_into(stream, name, new_feed(), named=True)
            return name
    try:
        _decode_into(stream, "utf-8", new_feed())
        return "utf-8"
    except _BadByte as bad:
        utf8_error = bad
    has_nul, mostly_utf8 = _utf8_share(stream)
    if not has_nul and mostly_utf8:
        raise ImportRefused(
            f"The file is UTF-8 with an invalid byte (0x{utf8_error.byte:02x}) on line "
            f"{utf8_error.line}; it was not imported rather than have that text garbled. Save "
            "it as UTF-8 again, or name its encoding."
        )
    name = _detected(stream, has_nul)
    _decode_into(stream, name, new_feed(), named=True)
    return name


def _text_codec(encoding):
    try:
        info = codecs.lookup(encoding)
        text_encoding = info._is_text_encoding  # not rot13, zlib, base64
    except (LookupError, TypeError, ValueError):
        text_encoding = False
    if not text_encoding:
        raise ImportRefused(f"Unknown text encoding {encoding!r}.", field="encoding")
    return info.name


def _chunks(stream):
    stream.seek(0)
    while chunk := stream.read(CHUNK):
        yield chunk


def _decode_into(stream, encoding, feed, *, named=False):
    """Decode the whole file in chunks into `feed`; _BadByte (or, `named`, ImportRefused)."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    lines = 0  # line breaks in the bytes before this chunk, for the error's line number
    try:
        for chunk in _chunks(stream):
            pending = len(decoder.getstate()[0])  # bytes of a character cut by the last chunk
            try:
                feed(decoder.decode(chunk), False)
            except UnicodeDecodeError as error:
                start = max(0, error.start - pending)
                line = lines + chunk.count(b"\n", 0, start) + 1
                raise _BadByte(error.object[error.start], line) from None
            lines += chunk.count(b"\n")
        try:
            feed(decoder.decode(b"", final=True), True)
        except UnicodeDecodeError as error:
            raise _BadByte(error.object[error.start], lines + 1) from None
    except _BadByte as bad:
        if not named:
            raise
        raise ImportRefused(
            f"The file is not valid {encoding}: byte 0x{bad.byte:02x} on line {bad.line} "
            "cannot be read. Name its real encoding, or save it as UTF-8.",
            field="encoding",
        ) from None
    except UnicodeError as error:  # a codec that refuses without a position ('undefined')
        raise ImportRefused(f"The file cannot be read as {encoding}: {error}.",
                            field="encoding") from None


def _utf8_share(stream):
    """(holds a NUL byte, most non-ASCII characters are valid UTF-8): the second says the
    file is UTF-8 with a broken byte. Reading such a file as cp1252 would garble every
    accented letter in it; a GBK or cp1252 file, by contrast, is mostly invalid as UTF-8.
    """
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    has_nul, broken, non_ascii = False, 0, 0
    for chunk in [*_chunks(stream), None]:
        text = decoder.decode(b"", final=True) if chunk is None else decoder.decode(chunk)
        has_nul = has_nul or (chunk is not None and b"\x00" in chunk)
        broken += text.count("\ufffd")
        non_ascii += len(text) - len(text.encode("ascii", "ignore"))
    return has_nul, non_ascii - broken >= 3 * broken


def _detected(stream, has_nul):
    sample, whole = _sample(stream)
    readings = [
        match
        for match in charset_normalizer.from_bytes(sample)
        if match.chaos <= _MAX_CHAOS and match.encoding not in ("utf_8", "ascii")
    ]
    texts = {m.encoding: _digest(str(m)) if whole else _streamed_digest(stream, m.encoding)
             for m in readings}
    readings = [m for m in readings if texts[m.encoding] is not None]
    if not readings:
        if has_nul:
            raise ImportRefused("The file is binary, not a reference file (RIS, BibTeX or nbib).")
        raise ImportRefused(
            "The file is not UTF-8 and no other encoding reads it as text. Save it as UTF-8, "
            "or name its encoding."
        )
    best = min(readings, key=lambda match: match.chaos)
    rivals = [m.encoding for m in readings if texts[m.encoding] != texts[best.encoding]]
    if rivals:
        names = ", ".join(list(dict.fromkeys([best.encoding, *rivals]))[:5])
        raise ImportRefused(
            f"The file is not UTF-8 and its encoding cannot be told for sure: it reads as "
            f"{names}, each giving different text. Name its encoding (for example gbk or "
            "cp1252), or save it as UTF-8.",
            field="encoding",
        )
    return codecs.lookup(best.encoding).name


def _sample(stream):
    """(what charset-normalizer reads, whether that is the whole file).

    A file above DETECT_SAMPLE is sampled by its lines holding non-ASCII bytes
    (whole lines, so no character is cut in two): only they tell encodings
    apart, and in a large export they may all lie past its first megabytes.
    """
    stream.seek(0)
    sample = stream.read(DETECT_SAMPLE)
    if not stream.read(1):
        return sample, True
    kept, size, carry = [], 0, b""
    for chunk in _chunks(stream):
        lines = (carry + chunk).split(b"\n")
        carry = lines.pop()
        for line in lines:
            if not line.isascii() and size < DETECT_SAMPLE:
                kept.append(line)
                size += len(line) + 1
        if size >= DETECT_SAMPLE:
            break
    if carry and not carry.isascii() and size < DETECT_SAMPLE:
        kept.append(carry)
    return b"\n".join(kept) + b"\n", False


def _digest(text):
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


def _streamed_digest(stream, encoding):
    """The digest of the whole file's text in `encoding`, or None where it does not decode."""
    digest = hashlib.sha256()
    try:
        _decode_into(stream, encoding, lambda text, final: digest.update(
            text.encode("utf-8", "surrogatepass")))
    except (_BadByte, UnicodeError):
        return None
    return digest.digest()

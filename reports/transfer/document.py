"""Read a whole-review export incrementally, so a restore's memory does not grow with the review.

`parse_document` reads the header (format, version, review) and checks it;
`sections()` then yields each section's rows one by one as the file is read.
The export writes the header before the sections and the sections in the
order import needs (`sections.SECTIONS`), so one pass suffices; a document
that puts them otherwise is refused with a message that says so.
"""

import io

import ijson
from ijson.common import ObjectBuilder

from reports.transfer.export import FORMAT, VERSION
from reports.transfer.sections import SECTIONS

_ORDER = {section.name: index for index, section in enumerate(SECTIONS)}

# The format nests six deep (document, sections, section, row, a list of natural keys,
# one key); anything much deeper is hostile. ijson builds each event's prefix from the
# path, so a document nested n deep cost O(n²) to read and at 100,000 levels killed
# the worker: the depth is checked at every event, before any of that cost.
MAX_DEPTH = 16


class DocumentError(Exception):
    """The bytes are not a readable export; `message` says why (load turns it into a refusal)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class StreamedDocument:
    """An export being read from a binary stream: its header now, its sections on demand."""

    def __init__(self, stream):
        self._events = _depth_limited(ijson.basic_parse(stream, use_float=True))
        self.format = self.version = self.review = None
        try:
            self._read_header()
        except PARSE_ERRORS as error:
            raise not_json(error) from error
        if self.format != FORMAT:
            raise DocumentError(f"This is not an ichub review export (format '{FORMAT}').")
        if self.version != VERSION:
            raise DocumentError(f"Export version {self.version!r} is not supported.")

    def _read_header(self):
        prefix, event, _ = next(self._events, ("", None, None))
        if event != "start_map":
            raise DocumentError(f"This is not an ichub review export (format '{FORMAT}').")
        for prefix, event, value in self._events:
            if prefix == "" and event == "end_map":
                self._events = iter(())  # no sections: the header was the whole document
                return
            if event != "map_key":
                continue
            if value == "sections":
                return
            if value in ("format", "version", "review"):
                setattr(self, value, self._value(value))
            else:
                self._value(value)  # read past a key this version does not use

    def _value(self, prefix):
        """Build the value that starts at the next event (a scalar, or a whole map or list)."""
        builder = ObjectBuilder()
        depth = 0
        for _, event, value in self._events:
            builder.event(event, value)
            depth += event in ("start_map", "start_array")
            depth -= event in ("end_map", "end_array")
            if depth == 0:
                return builder.value
        raise DocumentError(f"The document ends inside '{prefix}'.")

    def sections(self):
        """(name, rows) for each section in file order; consume each `rows` before the next."""
        if next(self._events, (None, None, None))[1] != "start_map":
            raise DocumentError("The document's 'sections' is not an object.")
        last = -1
        for prefix, event, value in self._events:
            if prefix == "sections" and event == "end_map":
                self._read_to_the_end()
                return
            if event != "map_key":
                continue
            position = _ORDER.get(value)
            if position is None:
                self._value(f"sections.{value}")  # not a section this version knows
                continue
            if position <= last:
                raise DocumentError(
                    f"Section '{value}' comes after '{SECTIONS[last].name}': sections must "
                    "keep the order export_review writes them in."
                )
            last = position
            yield value, self._rows(value)

    def _read_to_the_end(self):
        """Past any later keys to the document's closing brace, and nothing after it.

        Every row may be in and the file still cut off in transit (its closing
        braces lost) or followed by something else: either way it is not the
        document that was exported, so it is refused rather than restored.
        """
        for prefix, event, value in self._events:
            if prefix == "" and event == "end_map":
                break
            if event == "map_key":
                self._value(value)
        else:
            raise DocumentError("The document ends after its sections: the file was cut off.")
        for _ in self._events:  # ijson raises on trailing bytes once asked for more
            raise DocumentError("The document goes on after its end.")

    def _rows(self, name):
        _, event, _ = next(self._events, (None, None, None))
        if event != "start_array":
            raise DocumentError(f"Section '{name}' is not a list.")
        while True:
            _, event, value = next(self._events, (None, None, None))
            if event == "end_array":
                return
            if event is None:
                raise DocumentError(f"The document ends inside section '{name}'.")
            if event != "start_map":
                raise DocumentError(f"Section '{name}' holds a {event.removeprefix('start_')}, "
                                    "not an object.")
            yield self._object()

    def _object(self):
        builder = ObjectBuilder()
        builder.event("start_map", None)
        depth = 1
        for _, event, value in self._events:
            builder.event(event, value)
            depth += event in ("start_map", "start_array")
            depth -= event in ("end_map", "end_array")
            if depth == 0:
                return builder.value
        raise DocumentError("The document ends inside a row.")


def _depth_limited(events):
    """(prefix, event, value) as ijson.parse gives them, refusing nesting over MAX_DEPTH.

    Only the top two levels' prefixes are ever read ('' and 'sections'), so a
    deeper event's prefix is None rather than a path joined at every event.
    """
    path = []
    for event, value in events:
        if event == "map_key":
            prefix = _joined(path[:-1])
            path[-1] = value
        elif event in ("start_map", "start_array"):
            prefix = _joined(path)
            path.append(None if event == "start_map" else "item")
            if len(path) > MAX_DEPTH:
                raise DocumentError(
                    f"The document is nested more than {MAX_DEPTH} levels deep; "
                    "an ichub export never is."
                )
        elif event in ("end_map", "end_array"):
            path.pop()
            prefix = _joined(path)
        else:
            prefix = _joined(path)
        yield prefix, event, value


def _joined(path):
    return ".".join(path) if len(path) <= 2 else None


# What reading the stream may raise at any event: load.import_review turns these into a
# refusal too (the sections are read while it writes, inside its transaction).
PARSE_ERRORS = (ijson.JSONError, UnicodeDecodeError)


def not_json(error):
    return DocumentError(f"The file is not JSON: {error}.")


def open_document(data):
    """A StreamedDocument over bytes or a binary file (an upload, an open file)."""
    stream = io.BytesIO(data) if isinstance(data, bytes | bytearray) else data
    return StreamedDocument(stream)

"""Reading a large reference file a batch of records at a time, saying how far it got.

A 100,000-record file takes seconds to parse. Run as a job, its progress bar
should move while that happens, not only once the whole file is parsed, so
each parser calls `on_read(records read, records expected)` after every
batch. The tagged formats (RIS, Web of Science, MEDLINE) are handed to rispy
a batch of records at a time: rispy's `parse` builds its whole list before
returning, so one call over the file would report nothing until the end.
BibTeX and CSL-JSON are parsed whole by their libraries (bibtexparser 2 has
no incremental reader; orjson takes a fraction of a second), then report as
their entries are converted, which is most of their time.
"""

import bisect

# Records read between two reports (and per batch handed to rispy).
READ_BATCH = 2000


def ignore(done, expected):
    """The `on_read` of a caller that does not watch (the request path)."""


def converted(items, convert, on_read):
    """[convert(position, item)] for the parsed items, reporting every READ_BATCH."""
    records = []
    on_read(0, len(items))
    for position, item in enumerate(items, start=1):
        records.append(convert(position, item))
        if position % READ_BATCH == 0:
            on_read(position, len(items))
    on_read(len(items), len(items))
    return records


def tagged_batches(text, record_start, end_tag):
    """(chunk of text, records started up to its end, records in the file) for each batch.

    Cuts fall only where a record starts right after the previous one ended
    (its last non-blank line is `end_tag`, or blank for MEDLINE), so rispy
    reads each chunk exactly as it reads the whole file: a record left open
    (no end line) runs into the next in both, and is reported the same way.
    """
    starts = [match.start() for match in record_start.finditer(text)]
    cuts = []
    for index in range(READ_BATCH, len(starts), READ_BATCH):
        cut = next((start for start in starts[index:] if _closed_before(text, start, end_tag)),
                   None)
        if cut is not None and (not cuts or cut > cuts[-1]):
            cuts.append(cut)
    for begin, end in zip([0, *cuts], [*cuts, len(text)], strict=True):
        yield text[begin:end], bisect.bisect_left(starts, end), len(starts)


def _closed_before(text, start, end_tag):
    """True when the record before `start` has ended: its last non-blank line is
    `end_tag` (MEDLINE, `end_tag` "": the line right before is blank), or there is none."""
    position = start  # the start of a line
    while position > 0:
        line_start = text.rfind("\n", 0, position - 1) + 1
        line = text[line_start:position - 1]
        if line.strip():
            return bool(end_tag) and line.startswith(end_tag)
        if not end_tag:
            return True
        position = line_start
    return True

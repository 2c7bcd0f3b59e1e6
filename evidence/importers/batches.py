"""Reading a reference file a batch of records at a time.

A 100,000-record file is tens of megabytes and takes seconds to parse. Every
parser yields its records in batches of READ_BATCH, and the import matches
and writes each batch before the next is read, so a job's progress bar moves
while the file is read and the worker holds a batch, not the file (the tagged
formats, read line by line). rispy's `parse` builds its whole list before
returning, so the tagged formats (RIS, Web of Science, MEDLINE) are handed to
it a batch of records' lines at a time. BibTeX and CSL-JSON are parsed whole
by their libraries (see their modules), then converted a batch at a time.
"""

# Records per batch: read, matched and written together, and between two progress reports.
READ_BATCH = 2000


def ignore(done, expected):
    """The `on_read` of a caller that does not watch (the request path)."""


def converted(items, convert):
    """Batches of [convert(position, item)] for the parsed items."""
    for start in range(0, len(items), READ_BATCH):
        yield [convert(position, item) for position, item in
               enumerate(items[start:start + READ_BATCH], start=start + 1)]


def tagged_batches(lines, record_start, end_tag):
    """(text of a batch of records, records started so far) for the file's lines.

    Cuts fall only where a record starts right after the previous one ended
    (its last non-blank line is `end_tag`, or, for MEDLINE, `end_tag` "",
    the line right before is blank), so rispy reads each batch exactly as it
    reads the whole file: a record left open (no end line) runs into the next
    in both, and is reported the same way.
    """
    batch, in_batch, started = [], 0, 0
    last_filled = None  # the last non-blank line so far
    after_blank = True  # the line before this one is blank (or there is none)
    for line in lines:
        if record_start.match(line):
            closed = (last_filled is None or last_filled.startswith(end_tag) if end_tag
                      else after_blank)
            if in_batch >= READ_BATCH and closed:
                yield "".join(batch), started
                batch, in_batch = [], 0
            in_batch += 1
            started += 1
        batch.append(line)
        after_blank = not line.strip()
        if not after_blank:
            last_filled = line
    if batch:
        yield "".join(batch), started

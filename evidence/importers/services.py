"""Import references as a review's sources: deduped, all or nothing, in bulk."""

import gc
import re
import unicodedata
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace

from django.db import transaction

from evidence.importers import FORMATS, ImportRefused, read_references
from evidence.importers.records import fold, surname, title_key
from evidence.models import SourceDocument, normalise_doi
from ichub.budget import BudgetExceeded, spend
from ichub.bulk.history import insert_creation_history
from ichub.bulk.rows import insert_rows

_NOT_KEY_CHARACTER = re.compile(r"[^a-z0-9]")


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do), record by record."""

    format: str
    dry_run: bool
    encoding: str = "utf-8"
    created: list = field(default_factory=list)
    duplicates: list = field(default_factory=list)
    possible_duplicates: list = field(default_factory=list)
    rejected: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    @property
    def summary(self):
        held = sum(1 for p in self.possible_duplicates if not p["imported"])
        possible = f"possible duplicates held back: {held}, " if self.possible_duplicates else ""
        return (
            f"created: {len(self.created)}, duplicates: {len(self.duplicates)}, "
            f"{possible}rejected: {len(self.rejected)}"
        )

    def as_dict(self, *, rows_kept=None):
        """The report as JSON-able data; with `rows_kept`, at most that many created,
        duplicate and rejected rows (a job's result: a 100,000-record file's full report
        would be megabytes), the counts still of all."""
        kept = replace(self, **{name: getattr(self, name)[:rows_kept]
                                for name in ("created", "duplicates", "rejected")})
        return {
            **asdict(kept),
            "format_label": FORMATS.get(self.format, self.format),
            "summary": self.summary,
            "counts": {
                "created": len(self.created),
                "duplicates": len(self.duplicates),
                "possible_duplicates": len(self.possible_duplicates),
                "rejected": len(self.rejected),
            },
        }


_DETAILS = ("first author", "container", "volume", "pages")


def _details(authors, container, volume, pages):
    """What tells two works with one title apart (in _DETAILS's order): who wrote them,
    where they appeared, where. A tuple: the matcher keeps one per source.

    The lead author is compared by folded surname, so 'Liu R.' and 'Liu, Rong' agree.
    """
    return (fold(surname(authors.split(" and ")[0].strip())), fold(container),
            volume.strip(), pages.strip())


class _Matcher:
    """The review's sources (and the file's records so far), by DOI and by title + year."""

    def __init__(self, review):
        self.by_doi, self.by_title, self.keys = {}, {}, set()
        self.next_suffix = {}  # base -> where its key sequence goes on
        rows = SourceDocument.objects.filter(review=review).values_list(
            "id", "citation_key", "doi", "title", "year", "authors", "container", "volume", "pages"
        )
        for source_id, citation_key, doi, title, year, *details in rows:
            target = {"source_id": source_id, "citation_key": citation_key}
            self.add(target, doi, title_key(title, year), _details(*details))
            self.keys.add(citation_key)

    def add(self, target, doi, key, details):
        """Remember a source by its DOI and its `title_key` (computed once by the caller)."""
        doi = normalise_doi(doi)
        if doi:
            self.by_doi.setdefault(doi, target)
        if key:
            self.by_title.setdefault(key, (target, doi, details))

    def match(self, record, key):
        """(target, how, differing fields) for an earlier copy of the record, or (None, None, []).

        Same DOI is a duplicate. Same title and year is one too when nothing
        tells them apart; when both carry DOIs and they differ (an erratum or a
        reply shares its title) it is not. When their lead author, journal,
        volume or pages disagree ("Editorial", "Institutional members" recur in every issue)
        it is only a *possible* duplicate, for the user to decide.
        """
        if record.doi and record.doi in self.by_doi:
            return self.by_doi[record.doi], "doi", []
        found = self.by_title.get(key)
        if not found or (record.doi and found[1] and found[1] != record.doi):
            return None, None, []
        target, _, theirs = found
        ours = _details(record.authors_text, record.container, record.volume, record.pages)
        differ = [name for name, mine, other in zip(_DETAILS, ours, theirs, strict=True)
                  if mine and other and mine != other]
        return target, ("possible" if differ else "title_year"), differ

    def new_citation_key(self, record):
        """'pearson2018', then 'pearson2018a', 'pearson2018b'…: unique in the review.

        Each base keeps its own place in the suffix sequence (a number, not a
        generator: a 100,000-record file has about as many bases), so records sharing
        an author and year test each candidate once: linear in the file, where
        rescanning from '' for every record was quadratic (issue 17).
        """
        base = _surname_slug(record) + (str(record.year) if record.year else "nd")
        suffix = self.next_suffix.get(base, 0)
        while (key := base + _letter_suffix(suffix)) in self.keys:
            suffix += 1
        self.next_suffix[base] = suffix + 1
        self.keys.add(key)
        return key


_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _letter_suffix(number):
    """'', then 'a'..'z', 'aa'..'zz', then '1', '2'…: the n-th key of a base's sequence."""
    if number <= 26:
        return _LETTERS[number - 1] if number else ""
    if number <= 26 + 26 * 26:
        first, second = divmod(number - 27, 26)
        return _LETTERS[first] + _LETTERS[second]
    return str(number - 26 - 26 * 26)


def _surname_slug(record):
    # What slugify() would keep, without its lazy-text wrapper (a tenth of an import's time).
    folded = unicodedata.normalize("NFKD", record.citation_name()).encode("ascii", "ignore")
    return _NOT_KEY_CHARACTER.sub("", folded.decode().lower())[:40] or "anon"


@contextmanager
def _cyclic_gc_paused():
    """Python's cycle collector off while a file is read: records are plain dicts and
    lists with no cycles, but each full collection rescans every one of them, so
    reading 20,000 records cost 6.8x 5,000 with it on (BENCHMARKS.md, 7c). Only
    re-enabled by whoever paused it, so overlapping imports in threads end with it on.
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


@transaction.atomic
def import_sources(
    *,
    review,
    data: bytes,
    filename: str = "",
    kind: str = SourceDocument.Kind.EMPIRICAL_STUDY,
    user=None,
    dry_run: bool = False,
    skip_invalid: bool = False,
    kinds: dict[int, str] | None = None,
    encoding: str = "",
    import_positions=(),
    import_all_possible: bool = False,
    on_progress=None,
) -> ImportReport:
    """Parse a reference file and add its new references to the review's sources.

    All or nothing: a file with any bad record is refused whole (ImportRefused,
    carrying the report) unless `skip_invalid`. Possible duplicates (same
    title and year, another lead author, journal, volume or pages) are held
    back unless their positions are in `import_positions` (or
    `import_all_possible`): the user decides, having seen them side by side
    in the preview, or before a background import, which has none. One query
    reads the review's sources and bulk inserts write the new ones with their history,
    so the query count does not grow with the number of records. `kinds`
    overrides `kind` for the records at those positions (chosen row by row in
    a preview). The file is read, matched and written a batch of
    batches.READ_BATCH records at a time (the tagged formats are never held
    whole), so a refusal found late rolls back the batches written before it.
    `on_progress(done, total)`, if given, is called after each batch is
    read, matched and saved (a job's progress bar): total counts every record
    once read, and every valid one once matched and once saved. While the
    file is read every record it starts is expected to be valid; once it is
    read, total is corrected to what was found.
    """
    try:
        with _cyclic_gc_paused():
            return _import_sources(
                review=review, data=data, filename=filename, kind=kind, user=user,
                dry_run=dry_run, skip_invalid=skip_invalid, kinds=kinds or {},
                encoding=encoding, import_positions=import_positions,
                import_all_possible=import_all_possible,
                on_progress=on_progress or (lambda done, total: None),
            )
    except BudgetExceeded as exceeded:
        raise ImportRefused(
            f"Reading this file took over {exceeded.seconds:g} seconds, its time limit, "
            "so nothing was imported: split the file, or ask an operator to run "
            "`manage.py import_sources`.",
            status=413,
        ) from exceeded


def _import_sources(*, review, data, filename, kind, user, dry_run, skip_invalid, kinds,
                    encoding, import_positions, import_all_possible, on_progress):
    for chosen in {kind, *kinds.values()}:
        if chosen not in SourceDocument.Kind.values:
            raise ImportRefused(
                f"Unknown kind {chosen!r}; choose one of {', '.join(SourceDocument.Kind.values)}.",
                field="kind",
            )
    progress = _Progress(on_progress)
    parsed = read_references(data, filename, encoding, on_read=progress.reading)
    progress.expect(parsed.expected)
    report = ImportReport(format=parsed.format, dry_run=dry_run, encoding=parsed.encoding)
    run = _Run(review=review, kind=kind, kinds=kinds, user=user, report=report,
               wanted={int(position) for position in import_positions},
               import_all_possible=import_all_possible)
    read = 0
    for records in parsed.batches:
        read += len(records)
        progress.read(read)
        report.rejected += [{"position": r.position, "title": r.title, "reason": r.error}
                            for r in records if r.error]
        report.notes += [{"position": r.position, "title": r.title, "note": note}
                         for r in records for note in r.notes]
        if report.rejected and not skip_invalid:
            continue  # refused at the end, with every rejected record named
        valid = [r for r in records if not r.error]
        rows = run.match(valid)
        progress.matched(len(valid))
        if rows and not dry_run:
            _insert_with_history(rows, user, report.created[-len(rows):])
        progress.saved(len(valid))
    if report.rejected and not skip_invalid:
        report.created, report.duplicates, report.possible_duplicates = [], [], []
        raise ImportRefused(
            f"{len(report.rejected)} of {read} records cannot be imported, so nothing "
            "was imported. Fix them, or choose to skip invalid records.",
            report=report,
        )
    progress.done()
    return report


class _Progress:
    """A job's progress in units: each record once read, each valid one once matched and
    once saved. The total is three per record the file starts until the file is read."""

    def __init__(self, on_progress):
        self.on_progress = on_progress
        self.expected = self.reported_read = self.records = 0
        self.units = {"matched": 0, "saved": 0}

    def reading(self, done, expected):  # a library's own progress, before the first batch
        self.expected = max(self.expected, expected)
        self.reported_read = max(self.reported_read, done)
        self._report()

    def expect(self, expected):
        self.expected = max(self.expected, expected)
        self._report()

    def read(self, records):
        self.records = records
        self._report()

    def matched(self, count):
        self.units["matched"] += count
        self._report()

    def saved(self, count):
        self.units["saved"] += count
        self._report()

    def done(self):
        total = self.records + self.units["matched"] + self.units["saved"]
        self.on_progress(total, total)

    def _report(self):
        read = max(self.reported_read, self.records)
        done = read + self.units["matched"] + self.units["saved"]
        self.on_progress(done, max(done, 3 * max(self.expected, read)))


class _Run:
    """An import's decisions, record by record: duplicate, possible duplicate, or new."""

    def __init__(self, *, review, kind, kinds, user, report, wanted, import_all_possible):
        self.review, self.kind, self.kinds, self.user = review, kind, kinds, user
        self.report, self.wanted = report, wanted
        self.import_all_possible = import_all_possible
        self.matcher = _Matcher(review)

    def match(self, records):
        """The rows to insert for the new records among `records` (added to report.created)."""
        rows, report, matcher = [], self.report, self.matcher
        for record in records:
            spend()
            key = record.title_key()
            target, how, differ = matcher.match(record, key)
            if how == "possible":
                taken = self.import_all_possible or record.position in self.wanted
                report.possible_duplicates.append(_possible(record, target, differ, taken))
                if not taken:
                    continue
            elif target is not None:
                report.duplicates.append(
                    {"position": record.position, "title": record.title, "matched_by": how,
                     **target}
                )
                continue
            citation_key = matcher.new_citation_key(record)
            details = _details(record.authors_text, record.container, record.volume,
                               record.pages)
            matcher.add({"in_file_position": record.position}, record.doi, key, details)
            report.created.append(
                {"position": record.position, "title": record.title,
                 "citation_key": citation_key}
            )
            chosen = self.kinds.get(record.position, self.kind)
            rows.append(_row(self.review, record, citation_key, chosen, self.user))
        return rows


def _possible(record, target, differ, taken):
    return {
        "position": record.position,
        "title": record.title,
        "year": record.year,
        "container": record.container,
        "volume": record.volume,
        "pages": record.pages,
        "differs_in": differ,
        "imported": taken,
        **target,
    }


def _row(review, record, citation_key, kind, user):
    """Field values for insert_rows: no model instance is needed to insert a row."""
    return {
        "review_id": review.pk,
        "citation_key": citation_key,
        "kind": kind,
        "reference_type": record.reference_type,
        "authors": record.authors_text,
        "editors": record.editors_text,
        "year": record.year,
        "title": record.title,
        "container": record.container,
        "publisher": record.publisher,
        "genre": record.genre,
        "volume": record.volume,
        "issue": record.issue,
        "pages": record.pages,
        "doi": record.doi,
        "url": record.url,
        "abstract": record.abstract,
        "keywords": "\n".join(record.keywords),
        "created_by_id": user.pk if user is not None else None,
    }


def _insert_with_history(sources, user, created):
    """Insert the new sources (ids reserved for them first) and record their creation."""
    ids = insert_rows(SourceDocument, sources, assign_ids=True)
    insert_creation_history(
        SourceDocument, ids, user=user, change_reason="Imported from a reference file"
    )
    for entry, source_id in zip(created, ids, strict=True):
        entry["source_id"] = source_id

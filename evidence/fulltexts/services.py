"""Writes on full texts and anchored excerpts, each one transaction."""

import hashlib
import os
import tempfile
import uuid

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from evidence.models import Excerpt, ExcerptAnchor, FullText, FullTextPage

from . import anchors, extraction

# Extraction jobs of a review searched for a full text's job (its status page links it).
JOBS_LOOKED_AT = 50


class Invalid(ValueError):
    """A selection or upload we refuse; the message is shown to the user as it is."""


def read_upload(upload, *, limit=None):
    """The bytes of an uploaded file, refused when over the size limit (checked before reading)."""
    limit = limit or settings.FULL_TEXT_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise extraction.Refused(
            f"The file is {upload.size} bytes; the limit for a full text is {limit} bytes."
        )
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise extraction.Refused(f"The file is larger than the limit of {limit} bytes.")
    return data


def check_content(data: bytes, name: str) -> str:
    """The format of `data`, or Refused: a PDF must open (not encrypted, not corrupt)."""
    fmt = extraction.sniff(data, name)
    if fmt == extraction.PDF:
        with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
            handle.write(data)
            handle.flush()
            extraction.check_pdf(handle.name)
    return fmt


def attach_full_text(*, source, data: bytes, name: str, user=None, extract=True) -> FullText:
    """Store `data` as the source's full text (replacing any) and start its extraction job.

    The content is checked before anything is stored, so a refused upload
    leaves nothing behind; the file is written before the row and removed if
    the row cannot be saved. Extraction runs as a job (`full_text.job`);
    `extract=False` leaves starting it to the caller (an import starts one job
    for all its files with `start_extraction`).
    """
    fmt = check_content(data, name)
    full_text = _store(source=source, data=data, fmt=fmt, name=name, user=user)
    full_text.job = (start_extraction(full_texts=[full_text], user=user, review=source.review)
                     if extract else None)
    return full_text


def start_extraction(*, full_texts, user, review):
    """One job that extracts these full texts (each as stored now: a replaced one is skipped)."""
    from ichub.jobs.services import start_job

    from .tasks import extract_full_texts

    return start_job(task=extract_full_texts, owner=user, review=review, params={
        "full_texts": [{"id": f.pk, "sha256": f.sha256} for f in full_texts]})


def extraction_job(full_text):
    """The latest job that extracts this full text as it is stored now, or None.

    Looked for among the review's recent extraction jobs (JSON containment is
    not portable to SQLite); a restored review's full texts have no job.
    """
    from ichub.jobs.models import Job

    recent = Job.objects.filter(kind="fulltexts.extract", review_id=full_text.source.review_id)
    for job in recent.order_by("-pk")[:JOBS_LOOKED_AT]:
        if {"id": full_text.pk, "sha256": full_text.sha256} in job.params.get("full_texts", []):
            return job
    return None


def _store(*, source, data, fmt, name, user):
    storage_name = None
    try:
        with transaction.atomic():
            full_text = FullText.objects.select_for_update().filter(source=source).first()
            old_file = full_text.file.name if full_text else None
            if full_text is None:
                full_text = FullText(source=source)
            full_text.format = fmt
            full_text.original_name = os.path.basename(name)[:255]
            full_text.size = len(data)
            full_text.sha256 = hashlib.sha256(data).hexdigest()
            full_text.status = FullText.Status.PENDING
            full_text.failure_reason = ""
            full_text.pages_done = 0
            full_text.uploaded_by = user
            full_text.file.save(uuid.uuid4().hex, _BytesFile(data), save=False)
            storage_name = full_text.file.name
            full_text.save()
    except BaseException:
        if storage_name:
            full_text.file.storage.delete(storage_name)
        raise
    if old_file and old_file != storage_name:
        # The old file goes once the new row is committed; history keeps its name.
        transaction.on_commit(lambda: full_text.file.storage.delete(old_file))
    return full_text


class _BytesFile(File):
    def __init__(self, data):
        import io

        super().__init__(io.BytesIO(data))
        self.size = len(data)


def run_extraction(full_text_id: int, *, on_progress=None, on_cancel=None) -> str:
    """Extract a stored full text into pages, then re-anchor its source's excerpts.

    Returns the final status. A failure is stored with its reason; the pages of
    a previous extraction stay until a new one succeeds, so a failed
    replacement never strands existing anchors. `on_progress(done, total)` is
    called after each PDF page; if it stops the job (cancelled, or superseded
    by a retry), `on_cancel(full_text_id)` records that before the stop goes on.
    """
    from ichub.jobs.runner import JobCancelled, JobSuperseded

    full_text = FullText.objects.get(pk=full_text_id)
    FullText.objects.filter(pk=full_text_id).update(status=FullText.Status.EXTRACTING,
                                                    pages_done=0)

    def progress(done, total):
        FullText.objects.filter(pk=full_text_id).update(pages_done=done, page_count=total)
        if on_progress:
            on_progress(done, total)

    try:
        with full_text.file.open("rb") as handle:
            local = _local_copy(handle)
        try:
            pages = extraction.extract(local, full_text.format, progress)
        finally:
            os.unlink(local)
    except (JobCancelled, JobSuperseded):
        if on_cancel:
            on_cancel(full_text_id)
        raise
    except extraction.Refused as refusal:
        FullText.objects.filter(pk=full_text_id).update(
            status=FullText.Status.FAILED, failure_reason=str(refusal)
        )
        return FullText.Status.FAILED
    except Exception as error:  # noqa: BLE001 - any reader crash is a corrupt file to the user
        FullText.objects.filter(pk=full_text_id).update(
            status=FullText.Status.FAILED,
            failure_reason=f"The file could not be read ({type(error).__name__}); "
                           "it may be corrupt.",
        )
        return FullText.Status.FAILED
    store_pages(full_text=full_text, pages=pages)
    return FullText.Status.READY


def _local_copy(handle):
    """PDFium reads a path; remote storages (S3) give a stream, so spool it to a temp file."""
    with tempfile.NamedTemporaryFile(delete=False) as out:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            out.write(chunk)
        return out.name


@transaction.atomic
def store_pages(*, full_text, pages):
    """Replace the pages with freshly extracted ones and re-anchor every excerpt of the source."""
    full_text.pages.all().delete()
    rows, offset = [], 0
    for page in pages:
        rows.append(FullTextPage(full_text=full_text, number=page.number, start=offset,
                                 end=offset + len(page.text), text=page.text))
        offset += len(page.text)
    FullTextPage.objects.bulk_create(rows, batch_size=200)
    full_text.status = FullText.Status.READY
    full_text.failure_reason = ""
    full_text.page_count = full_text.pages_done = len(rows)
    full_text.char_count = offset
    full_text.extracted_at = timezone.now()
    full_text.save()
    reanchor(full_text=full_text, pages=rows)


def reanchor(*, full_text, pages):
    """Put every anchor of the source back on the current text, or mark it orphaned.

    An anchor whose quote still sits at its offsets stays; otherwise the quote
    is looked for with its prefix and suffix, nearest its old place; failing
    that the anchor is orphaned (and its excerpt kept and shown).
    """
    text = "".join(p.text for p in pages)
    starts = [p.start for p in pages]
    changed = []
    for anchor in ExcerptAnchor.objects.filter(excerpt__source_id=full_text.source_id):
        if text[anchor.start:anchor.end] == anchor.exact:
            found = (anchor.start, anchor.end)
        else:
            found = anchors.locate(text, anchor.exact, anchor.prefix, anchor.suffix,
                                   near=anchor.start)
        if found is None:
            anchor.orphaned = True
        else:
            anchor.start, anchor.end = found
            anchor.page = _page_at(starts, pages, anchor.start)
            anchor.orphaned = False
            anchor.full_text = full_text
        changed.append(anchor)
    for anchor in changed:
        anchor.save()


def _page_at(starts, pages, offset):
    import bisect

    return pages[max(0, bisect.bisect_right(starts, offset) - 1)].number


@transaction.atomic
def create_anchored_excerpt(*, full_text, start, end, exact, user=None, kind=None,
                            key=None) -> Excerpt:
    """An excerpt anchored at [start, end) of the full text.

    The quote must be exactly the text at those offsets (400 otherwise): a
    client that computed offsets against another text must not store a lie.
    Linking it to a CMOC is cmocs' write (cmocs.services.link_evidence); the
    reader calls both in one transaction.
    """
    if not full_text.is_ready:
        raise Invalid("The full text has not been extracted yet.")
    if not (0 <= start < end <= full_text.char_count):
        raise Invalid(f"The selection {start}–{end} lies outside the text "
                      f"(0–{full_text.char_count}).")
    actual, page = full_text.text_between(start, end)
    if actual != exact:
        raise Invalid("The quote does not match the text at those offsets.")
    if not exact.strip():
        raise Invalid("The selection is only white space.")
    context, _ = full_text.text_between(max(0, start - anchors.CONTEXT),
                                        min(full_text.char_count, end + anchors.CONTEXT))
    quote = anchors.quote_at(context, start - max(0, start - anchors.CONTEXT),
                             end - max(0, start - anchors.CONTEXT))
    excerpt = Excerpt.objects.create(
        source=full_text.source, key=key or f"x-{uuid.uuid4().hex[:10]}", text=exact.strip(),
        kind=kind or Excerpt.Kind.QUOTE, page=str(page), created_by=user,
    )
    ExcerptAnchor.objects.create(
        excerpt=excerpt, full_text=full_text, page=page, start=start, end=end, exact=exact,
        prefix=quote.prefix, suffix=quote.suffix,
    )
    return excerpt

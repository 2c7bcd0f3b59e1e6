"""The whole-review export with the bytes of its stored files: a zip to carry a review
to another instance (another storage) and restore it there with its PDFs and HTML.

Layout: `review.json` is the whole-review document exactly as the JSON export
writes it (full texts name their stored file and its SHA-256); `files/<sha256>`
holds each distinct stored file once. A restore loads the document as the JSON
import does, then puts each full text's bytes back into storage, checked
against the SHA-256 the document records, under the storage name it had when
that name is free (so the review exports again byte for byte), all in one
transaction: a refused archive leaves no review and no file behind.

The archive comes from outside, so it is opened without trusting it: only those
two kinds of member are accepted, sizes are checked before anything is inflated
and every member is read through zipfile's declared-size and CRC checks.
"""

import hashlib
import re
import uuid
import zipfile
import zlib

from django.conf import settings
from django.core.files import File
from django.db import transaction

from evidence.models import FullText
from evidence.models.fulltexts import STORED_NAME
from reports.transfer.export import export_review_chunks
from reports.transfer.load import TransferRefused, import_review, parse_document

DOCUMENT = "review.json"
FILES = "files/"
_FILE_NAME = re.compile(r"^files/[0-9a-f]{64}$")
_COPY_CHUNK = 1 << 20
# Inflation refused beyond this ratio: JSON compresses ~10-30x, PDFs 1-3x; a bomb 1000s.
MAX_RATIO = 200


def write_archive(review, out, *, on_section=None, **reader):
    """Write the review's archive to the binary file `out`; returns the files left out.

    `reader` is as for export_review_chunks (a user; none for the operator). A
    full text whose stored file is missing here (a review restored from the
    JSON alone) is listed in the return value; its pages still travel.
    """
    missing = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
        with zf.open(DOCUMENT, "w", force_zip64=True) as member:
            for chunk in export_review_chunks(review, on_section=on_section, **reader):
                member.write(chunk.encode("utf-8"))
        written = set()
        for full_text in FullText.objects.filter(source__review=review).order_by("source_id"):
            if full_text.sha256 in written or not full_text.file:
                continue
            try:
                handle = full_text.file.open("rb")
            except FileNotFoundError:
                missing.append(full_text.file.name)
                continue
            with handle, zf.open(f"{FILES}{full_text.sha256}", "w", force_zip64=True) as member:
                while chunk := handle.read(_COPY_CHUNK):
                    member.write(chunk)
            written.add(full_text.sha256)
    return missing


def is_archive(head: bytes) -> bool:
    return head.startswith(b"PK\x03\x04")


class _Archive:
    """The uploaded zip, its member list checked before anything is inflated."""

    def __init__(self, handle):
        try:
            self.zip = zipfile.ZipFile(handle)
        except (zipfile.BadZipFile, OSError):
            raise TransferRefused("The file is not a review archive: it is not a zip.") from None
        self.files = {}
        self.document = None
        for info in self.zip.infolist():
            name = info.filename
            if name == DOCUMENT:
                limit = settings.JOB_UPLOAD_MAX_BYTES
                self.document = info
            elif _FILE_NAME.match(name):
                limit = settings.FULL_TEXT_MAX_BYTES
                self.files[name[len(FILES):]] = info
            else:
                raise TransferRefused(f"The archive holds {name!r}; a review archive holds "
                                      f"only {DOCUMENT} and {FILES}<sha256>.")
            if info.file_size > limit:
                raise TransferRefused(f"{name} is {info.file_size:,} bytes; the limit is "
                                      f"{limit:,}.")
            if info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
                raise TransferRefused(f"{name} inflates {info.file_size // info.compress_size}"
                                      "-fold: refused as a possible zip bomb.")
        if self.document is None:
            raise TransferRefused(f"The archive has no {DOCUMENT}.")

    def open_document(self):
        return self.zip.open(self.document)

    def read_file(self, sha256):
        """The bytes stored for `sha256`, checked against it; None if the archive lacks them."""
        info = self.files.get(sha256)
        if info is None:
            return None
        try:
            data = self.zip.read(info)
        except (zipfile.BadZipFile, zlib.error, EOFError) as error:
            raise TransferRefused(f"{info.filename} is damaged ({error}).") from None
        if hashlib.sha256(data).hexdigest() != sha256:
            raise TransferRefused(f"{info.filename} does not hold the file its name says "
                                  "(SHA-256 differs).")
        return data


def read_document_header(handle):
    """The archive's document, opened far enough to check its header (before queueing)."""
    archive = _Archive(handle)
    with archive.open_document() as stream:
        return parse_document(stream)


@transaction.atomic
def import_archive(*, handle, user=None, on_chunk=None):
    """Restore the review in the archive `handle` and its stored files; all or nothing."""
    archive = _Archive(handle)
    written = []
    try:
        with archive.open_document() as stream:
            try:
                report = import_review(document=parse_document(stream), user=user,
                                       on_chunk=on_chunk)
            except (zipfile.BadZipFile, zlib.error, EOFError) as error:
                raise TransferRefused(f"{DOCUMENT} is damaged ({error}).") from None
        report.files = _restore_files(report.review, archive, written)
    except BaseException:
        for name in written:
            FullText.file.field.storage.delete(name)
        raise
    return report


def _restore_files(review, archive, written):
    restored, missing = 0, []
    for full_text in FullText.objects.filter(source__review=review).select_related("source"):
        data = archive.read_file(full_text.sha256)
        if data is None:
            missing.append(full_text.source.citation_key)
            continue
        storage = full_text.file.storage
        if full_text.file.name and storage.exists(full_text.file.name):
            with storage.open(full_text.file.name, "rb") as here:
                if hashlib.sha256(here.read()).hexdigest() == full_text.sha256:
                    restored += 1  # the same bytes are here already (same storage)
                    continue
        name = full_text.file.name
        if not STORED_NAME.match(name or ""):
            # The document names the file; only a name of our own shape becomes a path.
            name = f"fulltexts/{review.pk}/{uuid.uuid4().hex}"
        name = storage.save(name, _bytes_file(data))
        written.append(name)
        FullText.objects.filter(pk=full_text.pk).update(file=name)
        restored += 1
    return {"restored": restored, "missing": missing}


def _bytes_file(data):
    import io

    return File(io.BytesIO(data))

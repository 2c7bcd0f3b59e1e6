"""The files a job reads: streamed from the upload into the default storage and back.

An upload above FILE_UPLOAD_MAX_MEMORY_SIZE is already spooled to a temporary
file by Django; `Storage.save` copies it in chunks, so neither the app server
nor the worker holds the whole file in memory. On one machine the storage is
MEDIA_ROOT; with many app servers and workers, point the default storage at
shared object storage (README, Deploying) so a worker can read what any
server received.
"""

import os
import uuid

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.utils.text import get_valid_filename

UPLOAD_FOLDER = "job-uploads"


def save_upload(upload):
    """Store an uploaded file under a name nobody can guess; return the storage name."""
    try:
        safe = get_valid_filename(os.path.basename(upload.name or ""))[-100:]
    except SuspiciousFileOperation:  # a name with nothing usable in it
        safe = "upload"
    return default_storage.save(f"{UPLOAD_FOLDER}/{uuid.uuid4().hex}-{safe}", upload)


def open_upload(name):
    return default_storage.open(name, "rb")


def delete_upload(name):
    default_storage.delete(name)

"""Rendered JSON kept under its content ETag, so the next reader gets it without a rebuild.

A content ETag (programme_theories.conditional) fingerprints everything a nested read
shows, so a body kept under it is exactly as current as a 304 would declare a
client's copy: it can never be served stale. Bodies live gzip-compressed in
the shared database cache (`representations`), never in process memory, so
every app server reuses one rendering; compressed, a 430 KB theory is a
sixth of that to store, fetch and send. Clients that accept gzip get the
stored bytes as they are (with a weak ETag, as the encoded variant of the
same content); others get them decompressed. Only JSON is kept: the browsable
API's HTML is built each time.
"""

import gzip
import re

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers

_ACCEPTS_GZIP = re.compile(r"\bgzip\b")


def wanted(request):
    """Whether this DRF request's answer may be kept and served from the cache."""
    return settings.CACHE_REPRESENTATIONS and request.accepted_renderer.format == "json"


def keep(etag, body):
    caches["representations"].set(etag, gzip.compress(body, compresslevel=6, mtime=0))


def _content_type(request):
    content_type = request.accepted_media_type
    charset = request.accepted_renderer.charset
    return f"{content_type}; charset={charset}" if charset else content_type


def kept_response(request, etag):
    """The body kept for `etag` as a response, or None if there is none."""
    compressed = caches["representations"].get(etag)
    if compressed is None:
        return None
    if _ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", "")):
        response = HttpResponse(compressed, content_type=_content_type(request))
        response["Content-Encoding"] = "gzip"
        response["ETag"] = f"W/{etag}"
    else:
        response = HttpResponse(gzip.decompress(compressed), content_type=_content_type(request))
        response["ETag"] = etag
    vary_on_encoding(response)
    return response


def vary_on_encoding(response):
    """Shared caches must keep the gzip and the plain answer apart."""
    patch_vary_headers(response, ["Accept-Encoding"])
    return response

"""Opening a .qdpx or .qdc from someone else without trusting it.

A hostile archive can claim small sizes and inflate to gigabytes (zip bomb),
name members `../../etc/x` (path traversal), or carry XML whose entities
expand without end (billion laughs). Sizes are checked before anything is
inflated, and every member is read through a counter that stops at its
declared size; no member is ever written to disk under its own name; XML is
parsed with entity resolution, DTDs and the network off, and a document type
declaration is refused outright (QDA-XML needs none).
"""

import posixpath
import zipfile
import zlib

from django.conf import settings
from lxml import etree

MAX_RATIO = 200  # text compresses ~10x, PDFs ~1-3x; a bomb is thousands of times


class Refused(ValueError):
    """An archive or document we will not read; the message names the problem."""


class SafeArchive:
    """A .qdpx whose member list has been checked; members are read with their sizes enforced."""

    def __init__(self, handle, *, size=None):
        limit = settings.QDPX_MAX_BYTES
        if size is not None and size > limit:
            raise Refused(f"The file is {size} bytes; the limit for a .qdpx is {limit} bytes.")
        try:
            self.zip = zipfile.ZipFile(handle)
        except (zipfile.BadZipFile, OSError):
            raise Refused("The file is not a .qdpx: it is not a zip archive.") from None
        self.members = {}
        total = 0
        for info in self.zip.infolist():
            name = self._checked_name(info.filename)
            if info.is_dir():
                continue
            total += info.file_size
            if total > settings.QDPX_MAX_UNPACKED_BYTES:
                raise Refused("The archive would unpack to more than "
                              f"{settings.QDPX_MAX_UNPACKED_BYTES} bytes.")
            if info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
                raise Refused(f"The member {name} inflates {info.file_size // info.compress_size}"
                              "-fold: refused as a possible zip bomb.")
            self.members[name.lower()] = info
        if "project.qde" not in self.members:
            raise Refused("The archive has no project.qde, so it is not a REFI-QDA project.")

    @staticmethod
    def _checked_name(name):
        normal = posixpath.normpath(name.replace("\\", "/"))
        if name.startswith(("/", "\\")) or normal.startswith("..") or ":" in name.split("/")[0]:
            raise Refused(f"The archive holds a member outside itself ({name!r}).")
        return normal

    def read(self, name):
        """A member's bytes, stopping as soon as it yields more than it declared."""
        info = self.members.get(posixpath.normpath(name).lower())
        if info is None:
            return None
        chunks, read = [], 0
        try:
            with self.zip.open(info) as member:
                while chunk := member.read(1 << 16):
                    read += len(chunk)
                    if read > info.file_size:
                        raise Refused(f"The member {name} is larger than the archive declares.")
                    chunks.append(chunk)
        except (zipfile.BadZipFile, zlib.error, EOFError) as error:
            # zipfile stops at the declared size; a lie then shows as a bad checksum.
            raise Refused(f"The member {name} does not match what the archive declares "
                          f"({error}).") from None
        return b"".join(chunks)

    def internal(self, path):
        """The bytes an `internal://x` path names (REFI-QDA keeps them under sources/)."""
        if not path or not path.startswith("internal://"):
            return None
        relative = path[len("internal://"):]
        self._checked_name(relative)
        return self.read(f"sources/{relative}") or self.read(relative)


def parse_xml(data: bytes):
    """An lxml tree of `data`, with no entity expansion, no DTD, no network."""
    if b"<!DOCTYPE" in data[:4096].upper() or b"<!ENTITY" in data.upper():
        raise Refused("The XML declares a document type or entities; QDA-XML uses none.")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, remove_comments=True)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        raise Refused(f"The XML is not well-formed: {error}.") from None

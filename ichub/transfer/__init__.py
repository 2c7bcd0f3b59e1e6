"""Whole-review export and restore: one JSON document per review, by natural keys.

See `sections` for what the document holds, `export` for how it is written and
`load` for how it is read back.
"""

from ichub.transfer.export import export_review_chunks, export_review_text
from ichub.transfer.load import RestoreReport, TransferRefused, import_review, parse_document

__all__ = [
    "RestoreReport",
    "TransferRefused",
    "export_review_chunks",
    "export_review_text",
    "import_review",
    "parse_document",
]

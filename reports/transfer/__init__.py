"""Whole-review export and restore: one JSON document per review, by natural keys.

See `sections` for what the document holds, `export` for how it is written,
`document` for how it is read as a stream and `load` for how it is restored
(with `rows` and `history`, the bulk inserts it shares with the reference import).
"""

from reports.transfer.export import export_review_chunks, export_review_text
from reports.transfer.load import RestoreReport, TransferRefused, import_review, parse_document

__all__ = [
    "RestoreReport",
    "TransferRefused",
    "export_review_chunks",
    "export_review_text",
    "import_review",
    "parse_document",
]

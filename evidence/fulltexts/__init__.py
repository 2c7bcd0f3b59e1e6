"""Full texts of sources: upload, text extraction page by page, anchored excerpts, the reader.

`extraction` turns a file into pages (no database), `anchors` finds a quote in
a text (no database), `services` writes, `tasks` runs extraction off the
request path, `views`/`api` are the surfaces. REFI-QDA: evidence.importers.refiqda (in),
reports.refiqda (out).
"""

"""Everything that reads a whole review and writes it out.

The RAMESES report (`rameses`), the evidence matrix (`matrix`), the
spreadsheet, RIS and BibTeX downloads (`downloads`), the whole-review JSON
export and restore (`transfer`, with the `export_review` / `import_review`
commands), and their pages (`views`) and API (`api`), which answer through one
response helper (`responses`). It sits on top of every app: it reads
`cmocs`, `programme_theories` and `evidence`, and nothing below imports it.
"""

"""Source documents and their excerpts, with sub-packages per feature.

`screening/` (decisions, conflicts, agreement, appraisal, flow) and
`importers/` (RIS, BibTeX, nbib in). Depends only on the ground floor (ichub).
"""

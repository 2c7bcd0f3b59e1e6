"""REFI-QDA (QDA-XML 1.0) in: the exchange format of NVivo, ATLAS.ti, MAXQDA and QualCoder.

`safety` opens untrusted archives and XML; `importer` reads a .qdpx/.qdc into a
review; `views` are the upload and code-mapping pages. Export is reports.refiqda.
"""

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"

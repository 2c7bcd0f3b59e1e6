"""REFI-QDA out: a review as a .qdpx project or a .qdc codebook (`export`).

`schemas/` holds the published QDA-XML 1.0 schemas the tests validate against.
"""

from pathlib import Path

SCHEMAS = Path(__file__).parent / "schemas"

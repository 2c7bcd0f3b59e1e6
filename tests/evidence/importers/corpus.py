"""The corpus of real reference files from other projects' test suites, and where each came from.

The files themselves are not in this repository: they are other projects'
data, and third-party files fetched for this project live beside it, in the
`reference-corpus` folder of `shared/` (or wherever ICHUB_REFERENCE_CORPUS
points). Each is named in MANIFEST below with its repository, path, commit
and licence, so anyone can fetch the same bytes. Tests that need a file skip,
saying which, when the corpus is not there; the defect, round-trip and
Hypothesis tests in this folder need none of it.

Layout: `references/<name>` (the reference files), `schemas/csl-data.json`
(the CSL-JSON schema), `prisma/PRISMA.csv` (the PRISMA2020 template).
"""

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPOSITORY_ROOT = Path(__file__).resolve().parents[3]
CORPUS = Path(
    os.environ.get("ICHUB_REFERENCE_CORPUS") or REPOSITORY_ROOT.parent / "shared/reference-corpus"
)

RISPY = ("MrTango/rispy", "b7aae3b2069ced3fb75287711300f2edf0bcac21", "MIT")
ASREVIEW = ("asreview/asreview", "516290b5591925b54ac3d1be8a8686cc0f3c387c", "Apache-2.0")
SYNTHESISR = ("mjwestgate/synthesisr", "e3dc3d25797d9f66836d951a7a6e3dcc2d17d3ac", "GPL-3")
REVTOOLS = ("mjwestgate/revtools", "d9bf7fecd4f210d11eb54e97f42c2bce545fd2da", "GPL-3")
BIBTEXPARSER = (
    "sciunto-org/python-bibtexparser",
    "b0f77f9828737af760442293e13ebf5f87827042",
    "MIT",
)
PYBTEX = ("live-clones/pybtex", "fc6f83e517e882e99319a6de178bb4910b679183", "MIT")
CSL_SCHEMA = ("citation-style-language/schema", "e3ce254a72c4470a5ed3b9d23b428017d25674e9", "MIT")
PRISMA2020 = ("prisma-flowdiagram/PRISMA2020", "620aaf9b2029b09dc7ec9799c8d18eb208696d1b", "MIT")


@dataclass(frozen=True)
class CorpusFile:
    """One file, where it came from, and what a correct import of it holds.

    `spot_checks` maps a record's title to the fields it must have, field by
    field; `duplicates` counts records that repeat an earlier one of the same
    file (xampl.bib has a minimal and a full copy of several entries), and
    `possible_duplicates` those held back for the user to decide on;
    `encoding` is named for a file whose encoding cannot be told.
    """

    name: str
    origin: tuple
    path: str
    tool: str
    records: int
    spot_checks: dict = field(default_factory=dict)
    duplicates: int = 0
    possible_duplicates: int = 0
    encoding: str = ""
    skip_invalid: bool = False

    @property
    def repository(self):
        return self.origin[0]

    @property
    def commit(self):
        return self.origin[1]

    @property
    def licence(self):
        return self.origin[2]


def corpus_path(*parts):
    path = CORPUS.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"the reference corpus is not here ({path}); see {__name__}")
    return path


def csl_schema():
    return json.loads(corpus_path("schemas", "csl-data.json").read_text(encoding="utf-8"))

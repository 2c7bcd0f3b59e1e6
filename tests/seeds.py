"""The seed documents the shipped reviews were transcribed from, for verbatim checks.

They live outside the repository (the 2024 paper is the publisher's copyright), in
`$ICHUB_SEEDS_DIR` or the session's shared folder. Where neither exists (a fresh
clone), tests that compare against them are skipped and say why.
"""

import os
from pathlib import Path

import pytest

PAPER_2024 = "002_822fc030d8123b5c.txt"
CASE_STUDY_2025 = "001_d4a504ed40d5fb52.txt"
SCIE_2018 = "004_2bb76c13dfa889ae.txt"

_CANDIDATES = [
    os.environ.get("ICHUB_SEEDS_DIR", ""),
    "/work/shared/seeds",
    str(Path(__file__).resolve().parents[2] / "shared" / "seeds"),
]


def seed_text(name):
    """The text of one seed document, or a skip naming where it was looked for."""
    for folder in filter(None, _CANDIDATES):
        path = Path(folder) / name
        if path.is_file():
            return path.read_text(encoding="utf-8")
    pytest.skip(f"seed {name} not found (set ICHUB_SEEDS_DIR); looked in {_CANDIDATES}")

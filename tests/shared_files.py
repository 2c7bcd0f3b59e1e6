"""Files from other public projects that the tests use but the repository may not hold.

Material fetched from public repositories (the REFI-QDA schemas, a real
ATLAS.ti export) is kept out of this repository's commits: it belongs under
the steering repository's `shared/` folder, beside the seeds. The tests look
for it in `$ICHUB_SHARED_DIR`, `/work/shared` and the `shared/` folder beside
this checkout; where it is absent, a test that needs it is skipped and says
where it looked (`shared_file`), or checks what it can without it
(`find_shared_file`).
"""

import os
from pathlib import Path

import pytest

_CANDIDATES = [
    os.environ.get("ICHUB_SHARED_DIR", ""),
    "/work/shared",
    str(Path(__file__).resolve().parents[2] / "shared"),
]


def find_shared_file(*parts):
    """The file at shared/<parts>, or None."""
    for folder in filter(None, _CANDIDATES):
        path = Path(folder).joinpath(*parts)
        if path.is_file():
            return path
    return None


def shared_file(*parts):
    """The file at shared/<parts>, or a skip naming where it was looked for."""
    path = find_shared_file(*parts)
    if path is None:
        pytest.skip(f"shared/{'/'.join(parts)} not found; looked in {_CANDIDATES}")
    return path

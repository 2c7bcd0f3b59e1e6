"""Keys for rows that people do not name themselves: one scheme for every model.

Fixtures and whole-review exports name elements, excerpts and lineage events
by a key unique within their review (or source). When a browser form or an
API client creates one without naming it, ichub makes one up: a prefix that
says what it is, and ten random hex digits. Counting up from the keys already
taken ("x3", then "x4") raced: two clients read the same taken set and both
chose "x4". Random keys cannot collide in practice (16^10 per prefix), so
concurrent writers never trip over each other.
"""

import uuid


def new_key(prefix):
    """`<prefix>-<10 random hex digits>`, e.g. `x-3f2a9c01be` for an excerpt."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"

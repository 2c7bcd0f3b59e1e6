"""The RAMESES quality standards, as a self-assessment a review team fills in.

For realist syntheses, "Quality standards for realist syntheses and
meta-narrative reviews" (Wong, Greenhalgh, Westhorp and Pawson, RAMESES
project); for realist evaluations, the RAMESES II quality standards (Wong et
al., 2017, Health Services and Delivery Research 5(28)). Each standard is
rated inadequate / adequate / good / excellent by the team, with a note: ichub
stores and prints the team's judgement and makes none of its own.

Only the first synthesis standard's name ("The research problem") could be
read in a copy of the document with the project's search tool
(pdfslide.us/documents/quality-standards-for-realist-syntheses-and-meta-narrative-
quality-standards.html, 2026-11-30); every other name is ichub's, from memory,
and is marked `not checked` wherever it is shown.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from ichub.models import QualityRating, Review
from ichub.versioning import StaleVersion
from reports.rameses_standards import CHECKED, NOT_CHECKED, NOT_FOUND

SYNTHESIS_QUALITY_COPY = (
    "a copy of Wong et al., 'Quality standards for realist syntheses and meta-narrative "
    "reviews' (pdfslide.us)"
)


@dataclass(frozen=True)
class Standard:
    key: str
    number: int
    name: str
    check: str = NOT_CHECKED
    check_note: str = NOT_FOUND

    @property
    def checked_label(self):
        return f"{self.check}: {self.check_note}"


_CHECKED_NAMES = {"synthesis-1": f"name read in {SYNTHESIS_QUALITY_COPY}"}


def _standards(prefix, names):
    return tuple(
        Standard(key, n, name, CHECKED, _CHECKED_NAMES[key]) if key in _CHECKED_NAMES
        else Standard(key, n, name)
        for n, name in enumerate(names, start=1)
        for key in [f"{prefix}-{n}"]
    )


SYNTHESIS_STANDARDS = _standards(
    "synthesis",
    (
        "The research problem",
        "Understanding and applying the underpinning principles of realist reviews",
        "Focusing the review",
        "Constructing and refining a realist programme theory",
        "Developing a search strategy",
        "Selection and appraisal of documents",
        "Data extraction",
        "Reporting",
    ),
)
EVALUATION_STANDARDS = _standards(
    "evaluation",
    (
        "The evaluation purpose",
        "Understanding and applying a realist principle of generative causality",
        "Constructing and refining a realist programme theory",
        "Evaluation design",
        "Data collection methods",
        "Sample recruitment strategies",
        "Data analysis",
        "Reporting",
    ),
)
STANDARDS = {s.key: s for s in SYNTHESIS_STANDARDS + EVALUATION_STANDARDS}


def standards_for(review):
    """The quality standards for the review's method: none for a review that is not realist."""
    if not review.is_realist:
        return ()
    if review.method == Review.Method.REALIST_EVALUATION:
        return EVALUATION_STANDARDS
    return SYNTHESIS_STANDARDS


def self_assessment(review):
    """[(standard, rating or None)] for every standard that applies, in order."""
    ratings = {r.standard: r for r in QualityRating.objects.filter(review=review)}
    return [(standard, ratings.get(standard.key)) for standard in standards_for(review)]


@transaction.atomic
def save_self_assessment(*, review, user, ratings, versions=None):
    """Store the team's ratings: {standard key: (rating, note)}, all or nothing.

    A rating outside the four levels, or a standard that does not apply to the
    review's method, is refused before anything is written. `versions`
    ({standard key: version the editor saw, 0 if unrated}) guards against a
    lost update: if anyone saved a rating since, StaleVersion and nothing is
    written. Unchanged ratings are not rewritten, so history holds real changes only.
    """
    applicable = {s.key for s in standards_for(review)}
    valid = set(QualityRating.Rating.values) | {""}
    errors = {}
    for key, (rating, _note) in ratings.items():
        if key not in applicable:
            errors[key] = "This standard does not apply to this review's method."
        elif rating not in valid:
            errors[key] = f"Rate it {', '.join(QualityRating.Rating.values)}, or leave it blank."
    if errors:
        raise ValidationError(errors)
    stored = {
        row.standard: row
        for row in QualityRating.objects.select_for_update().filter(review=review)
    }
    for key, seen in (versions or {}).items():
        current = stored[key].version if key in stored else 0
        if key in ratings and seen != current:
            raise StaleVersion(current)
    for key, (rating, note) in ratings.items():
        row, note = stored.get(key), note.strip()
        if row is None and (rating or note):
            row = QualityRating(review=review, standard=key)
        elif row is None or (row.rating, row.note) == (rating, note):
            continue
        else:
            row.version += 1
        row.rating, row.note, row.rated_by = rating, note, user
        row._history_user = user
        row.save()


QUALITY_HEADER = ["Standard", "Name", "Rating", "Note", "Name checked"]


def quality_rows(review):
    return [
        [standard.number, standard.name, rating.get_rating_display() if rating else "",
         rating.note if rating else "", standard.checked_label]
        for standard, rating in self_assessment(review)
    ]

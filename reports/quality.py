"""The RAMESES quality standards, as a self-assessment a review team fills in.

For realist syntheses, the quality standards of the RAMESES project (Wong,
Greenhalgh, Westhorp and Pawson; RAMESES training materials, 2014); for
realist evaluations, the RAMESES II quality standards (Wong et al., 2017,
Health Services and Delivery Research 5(28)). Each standard is rated
inadequate / adequate / good / excellent by the team, with a note: ichub
stores and prints the team's judgement and makes none of its own.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from ichub.models import QualityRating, Review


@dataclass(frozen=True)
class Standard:
    key: str
    number: int
    name: str


SYNTHESIS_STANDARDS = tuple(
    Standard(f"synthesis-{n}", n, name)
    for n, name in enumerate(
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
        start=1,
    )
)
EVALUATION_STANDARDS = tuple(
    Standard(f"evaluation-{n}", n, name)
    for n, name in enumerate(
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
        start=1,
    )
)
STANDARDS = {s.key: s for s in SYNTHESIS_STANDARDS + EVALUATION_STANDARDS}


def standards_for(review):
    if review.method == Review.Method.REALIST_EVALUATION:
        return EVALUATION_STANDARDS
    return SYNTHESIS_STANDARDS


def self_assessment(review):
    """[(standard, rating or None)] for every standard that applies, in order."""
    ratings = {r.standard: r for r in QualityRating.objects.filter(review=review)}
    return [(standard, ratings.get(standard.key)) for standard in standards_for(review)]


@transaction.atomic
def save_self_assessment(*, review, user, ratings):
    """Store the team's ratings: {standard key: (rating, note)}, all or nothing.

    A rating outside the four levels, or a standard that does not apply to the
    review's method, is refused before anything is written.
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
    for key, (rating, note) in ratings.items():
        QualityRating.objects.update_or_create(
            review=review,
            standard=key,
            defaults={"rating": rating, "note": note.strip(), "rated_by": user},
        )


QUALITY_HEADER = ["Standard", "Name", "Rating", "Note"]


def quality_rows(review):
    return [
        [standard.number, standard.name, rating.get_rating_display() if rating else "",
         rating.note if rating else ""]
        for standard, rating in self_assessment(review)
    ]

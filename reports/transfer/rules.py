"""The model rules (`clean()`) a restore keeps, checked for a chunk of rows at a time.

The API runs each model's clean(); a restore inserted rows after clean_fields()
only, so a crafted document could link evidence from a review that does not
test the target's theories (issue 17). clean() reads related rows one by one;
these checks read a chunk's related rows in one query each, so a restore's
query count still grows with chunks, not rows. A broken rule refuses the
whole document with the model's own message, except for evidence crossing to a
review that does not test the target's: like other links that cannot be made
here, those are skipped and reported.
"""

from django.core.exceptions import ValidationError

from cmocs.models import CMOC, EvidenceLink, Mechanism
from evidence.models import Appraisal, Excerpt, FullText, Ranking, SourceDocument
from evidence.models.fulltexts import STORED_NAME
from ichub.models import Review


def check_chunk(model, objects):
    """The objects that keep the model's rules, and (object, reason) for those skipped."""
    check = _CHECKS.get(model)
    if check is None or not objects:
        return objects, []
    skipped = check(objects) or []
    dropped = {id(obj) for obj, _ in skipped}
    return [obj for obj in objects if id(obj) not in dropped], skipped


def refuse_nul(label, value):
    """PostgreSQL cannot store NUL in text (nor in a JSON string) and SQLite can: refuse it on
    both alike."""
    if isinstance(value, str) and "\x00" in value:
        raise ValidationError(f"{label} holds a NUL character, which no text field may hold.")
    if isinstance(value, dict):
        for key, item in value.items():
            refuse_nul(label, key)
            refuse_nul(label, item)
    elif isinstance(value, list):
        for item in value:
            refuse_nul(label, item)


def _evidence_crosses_only_to_testers(links):
    excerpt_reviews = dict(
        Excerpt.objects.filter(pk__in={link.excerpt_id for link in links})
        .values_list("pk", "source__review_id")
    )
    cmoc_reviews = dict(
        CMOC.objects.filter(pk__in={link.cmoc_id for link in links}).values_list("pk", "review_id")
    )
    testing = set(
        Review.tests_theories_of.through.objects.filter(
            to_review_id__in=set(cmoc_reviews.values())
        ).values_list("from_review_id", "to_review_id")
    )
    return [
        (link, "the excerpt's review does not test the theories of the CMOC's review")
        for link in links
        if (pair := (excerpt_reviews[link.excerpt_id], cmoc_reviews[link.cmoc_id]))[0] != pair[1]
        and pair not in testing
    ]


def _mechanisms_in_their_slots(cmocs):
    ids = {c.mechanism_resource_id for c in cmocs} | {c.mechanism_reasoning_id for c in cmocs}
    kinds = dict(Mechanism.objects.filter(pk__in=ids - {None}).values_list("pk", "kind"))
    for cmoc in cmocs:
        for slot, kind in (("mechanism_resource", Mechanism.Kind.RESOURCE),
                           ("mechanism_reasoning", Mechanism.Kind.REASONING)):
            found = kinds.get(getattr(cmoc, f"{slot}_id"))
            if found is not None and found != kind:
                raise ValidationError(
                    f"{cmoc.code}: the {slot.replace('_', ' ')} slot takes a {kind} "
                    f"mechanism, not a {found} one."
                )


def _appraised_excerpt_of_its_source(appraisals):
    sources = dict(
        Excerpt.objects.filter(pk__in={a.excerpt_id for a in appraisals} - {None})
        .values_list("pk", "source_id")
    )
    for appraisal in appraisals:
        if appraisal.excerpt_id and sources[appraisal.excerpt_id] != appraisal.source_id:
            raise ValidationError("An appraised excerpt must come from the appraised source.")


def _each_clean(objects):
    for obj in objects:  # SourceDocument.clean() reads no other row
        obj.clean()


def _full_texts_name_our_files(full_texts):
    """A document names a full text's stored file; a crafted name ('../x', another
    upload's) would let the download view serve a file the review never held."""
    for full_text in full_texts:
        if full_text.file.name and not STORED_NAME.match(full_text.file.name):
            raise ValidationError(
                f"The full text file name {full_text.file.name[:80]!r} is not one ichub "
                "stores (fulltexts/<review>/<32 hex digits>)."
            )


def _rankings_that_finished(rankings):
    """A ranking still training would stay 'being trained' in the restored queue for good."""
    return [(ranking, "a ranking still training is not part of the log")
            for ranking in rankings if ranking.status == Ranking.Status.TRAINING]


_CHECKS = {
    Ranking: _rankings_that_finished,
    FullText: _full_texts_name_our_files,
    EvidenceLink: _evidence_crosses_only_to_testers,
    CMOC: _mechanisms_in_their_slots,
    Appraisal: _appraised_excerpt_of_its_source,
    SourceDocument: _each_clean,
}

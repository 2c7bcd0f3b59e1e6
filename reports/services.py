"""Writes to a review's report data, shared by the API and the browser.

Starting a whole-review restore; and what the reports read that the team
writes: the authors' method text, the team's quality ratings and the
checklist items the team marks not applicable. Each of those edits names the
version it started from and is refused (StaleVersion; 412 over the API, a
conflict message in the browser) if someone saved in between; history keeps
every version (simple_history on each model), with the user who made it.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from ichub.jobs.files import save_upload
from ichub.jobs.models import Job
from ichub.jobs.runner import KINDS, write_lock_first
from ichub.jobs.services import start_job
from ichub.models import MethodStatement, NotApplicableItem, QualityRating, Review
from ichub.versioning import StaleVersion, claim_next_version
from reports.checklists import checklist_for
from reports.quality import STANDARDS, standards_for
from reports.tasks import (
    build_review_file_job,
    export_review_job,
    import_review_archive_job,
    import_review_job,
)
from reports.transfer import TransferRefused, parse_document
from reports.transfer.archive import is_archive, read_document_header


def file_job_for(*, user, review, name, matrix=None):
    """The job making the review's file `name` for `user`: theirs already under way, or new.

    A GET of a large review's file starts it (the browser then shows its progress,
    a script polls it): a reload or a second click joins the same job rather than
    queueing the same work again. `matrix`: the evidence matrix's options.
    """
    if name == "export.json":
        return _join_or_start(export_review_job, user, review, {})
    params = {"name": name, **({"matrix": matrix} if matrix is not None else {})}
    return _join_or_start(build_review_file_job, user, review, params)


def _join_or_start(task, user, review, params):
    joined = _under_way(task, user, review, params)
    if joined is not None:  # a reload or a poll: answered without waiting for a lock
        return joined
    # None yet, and no job row to lock: two first GETs at once would each start one.
    # The owner's row makes the second wait, look again and join the first: FOR NO KEY
    # UPDATE on PostgreSQL (rows that refer to the user, such as a running import's
    # history, take KEY SHARE locks it does not wait for), the write lock on SQLite.
    with write_lock_first(), transaction.atomic():
        get_user_model().objects.select_for_update(no_key=True).filter(
            pk=user.pk).values_list("pk").get()
        joined = _under_way(task, user, review, params)
        return joined or start_job(task=task, owner=user, review=review, params=params)


def _under_way(task, user, review, params):
    """The user's job making the same file with the same options, if one is under way."""
    jobs = Job.objects.filter(
        owner=user, review=review, kind=KINDS[task.module_path], status__in=Job.ACTIVE,
        cancel_requested=False,
    ).order_by("-pk")
    # Compared here, not in SQL: JSON equality differs between the databases, and a
    # user has few jobs under way on one review. A dead worker's job is not joined.
    return next((job for job in jobs if job.params == params and not job.is_stale), None)


def start_review_import(*, upload, user):
    """Store the uploaded export and start restoring it as `user`'s job.

    What the document's header can tell is refused now (TransferRefused, with
    a 400 or 409 status) rather than minutes later from the worker: a file
    that is not an export, and a review whose slug is taken. A zip is a review
    archive (reports.transfer.archive: the document with its stored files).
    """
    archive = is_archive(upload.read(4))
    upload.seek(0)
    try:
        document = read_document_header(upload) if archive else parse_document(upload)
        slug = document.review.get("slug")
    except AttributeError as odd:  # a header whose review is not an object
        raise TransferRefused("The document's review is not an object.") from odd
    if isinstance(slug, str) and Review.objects.filter(slug__iexact=slug).exists():
        raise TransferRefused(
            f"A review with slug '{slug}' already exists; delete it before restoring it.",
            status=409,
        )
    upload.seek(0)
    return start_job(task=import_review_archive_job if archive else import_review_job,
                     owner=user, params={"upload": save_upload(upload)})


def _save(record, user):
    record._history_user = user
    record.full_clean()
    record.save()
    return record


@transaction.atomic
def create_method_statement(*, review, user, **fields):
    return _save(MethodStatement(review=review, **fields), user)


@transaction.atomic
def update_method_statement(*, statement, user, expected_version, **fields):
    claim_next_version(statement, expected_version)
    statement.refresh_from_db()
    for name, value in fields.items():
        setattr(statement, name, value)
    return _save(statement, user)


@transaction.atomic
def delete_record(*, record, user, expected_version):
    """Delete a method statement, rating or not-applicable mark nobody changed meanwhile."""
    claim_next_version(record, expected_version)
    record.refresh_from_db()
    record._history_user = user
    record.delete()


def _check_standard(review, standard):
    if standard not in STANDARDS:
        raise ValidationError({"standard": f"No RAMESES quality standard {standard!r}."})
    if standard not in {s.key for s in standards_for(review)}:
        raise ValidationError({"standard": "This standard does not apply to this review's method."})


@transaction.atomic
def create_quality_rating(*, review, user, standard, rating="", note=""):
    _check_standard(review, standard)
    if QualityRating.objects.filter(review=review, standard=standard).exists():
        raise ValidationError({"standard": "This standard is already rated: edit that rating."})
    return _save(QualityRating(review=review, standard=standard, rating=rating,
                               note=note.strip(), rated_by=user), user)


@transaction.atomic
def update_quality_rating(*, rating, user, expected_version, **fields):
    claim_next_version(rating, expected_version)
    rating.refresh_from_db()
    for name, value in fields.items():
        setattr(rating, name, value.strip() if name == "note" else value)
    rating.rated_by = user
    return _save(rating, user)


@transaction.atomic
def save_not_applicable(*, review, user, choices):
    """Mark checklist items not applicable (with a reason) or applicable again, all or nothing.

    `choices` is {item number: (not_applicable, reason, version)}, where
    version is the one the editor saw (0 if the item was applicable then).
    A mark without a reason, an item the review's checklist does not have,
    or an item someone changed meanwhile (StaleVersion) writes nothing.
    """
    checklist = checklist_for(review)
    numbers = {item.number for item in checklist.items}
    marks = {
        row.item: row
        for row in NotApplicableItem.objects.select_for_update().filter(
            review=review, checklist=checklist.key
        )
    }
    errors = {}
    for number, (off, reason, _version) in choices.items():
        if number not in numbers:
            errors[f"item-{number}"] = f"{checklist.title} has no item {number}."
        elif off and not reason.strip():
            errors[f"item-{number}"] = "Say why the item does not apply to this review."
    if errors:
        raise ValidationError(errors)
    for number, (off, reason, version) in sorted(choices.items()):
        mark = marks.get(number)
        if (mark.version if mark else 0) != version:
            raise StaleVersion(mark.version if mark else 0)
        if mark and not off:
            delete_record(record=mark, user=user, expected_version=version)
        elif off and mark is None:
            create_not_applicable(review=review, user=user, item=number, reason=reason)
        elif off and mark.reason != reason.strip():
            update_not_applicable(mark=mark, user=user, expected_version=version, reason=reason)


@transaction.atomic
def create_not_applicable(*, review, user, item, reason):
    """Mark one item of the review's checklist not applicable (refused if it is already)."""
    checklist = checklist_for(review)
    if NotApplicableItem.objects.filter(review=review, checklist=checklist.key,
                                        item=item).exists():
        raise ValidationError({"item": "This item is already marked: edit that mark."})
    return _save(NotApplicableItem(review=review, checklist=checklist.key, item=item,
                                   reason=reason.strip(), set_by=user), user)


@transaction.atomic
def update_not_applicable(*, mark, user, expected_version, reason):
    claim_next_version(mark, expected_version)
    mark.refresh_from_db()
    mark.reason, mark.set_by = reason.strip(), user
    return _save(mark, user)

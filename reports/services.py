"""Starting a whole-review restore: what the API and the browser's import page share."""

from ichub.jobs.files import save_upload
from ichub.jobs.services import start_job
from ichub.models import Review
from reports.tasks import import_review_job
from reports.transfer import TransferRefused, parse_document


def start_review_import(*, upload, user):
    """Store the uploaded export and start restoring it as `user`'s job.

    What the document's header can tell is refused now (TransferRefused, with
    a 400 or 409 status) rather than minutes later from the worker: a file
    that is not an export, and a review whose slug is taken.
    """
    try:
        slug = parse_document(upload).review.get("slug")
    except AttributeError as odd:  # a header whose review is not an object
        raise TransferRefused("The document's review is not an object.") from odd
    if isinstance(slug, str) and Review.objects.filter(slug__iexact=slug).exists():
        raise TransferRefused(
            f"A review with slug '{slug}' already exists; delete it before restoring it.",
            status=409,
        )
    upload.seek(0)
    return start_job(task=import_review_job, owner=user, params={"upload": save_upload(upload)})

"""Background work of the evidence app (Django's Tasks API through django-tasks).

A large reference file (above REFERENCE_IMPORT_JOB_BYTES) is imported as a
job: the file waits in storage; the import itself is the same all-or-nothing
service the request path uses, in the job's one transaction, so a retry after
a dead worker starts from the review as it was and duplicates nothing (and
the service would match a repeated record by DOI or title + year anyway).
"""

from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from evidence.importers import ImportRefused
from evidence.importers.services import import_sources
from evidence.models import PrioritisationSettings, Ranking, SourceDocument
from evidence.screening.prioritisation import services as prioritisation
from ichub.bulk.statistics import refresh_statistics
from ichub.jobs import JobFailed, job_task
from ichub.jobs.files import delete_upload, open_upload

# Rows of the report kept on the job (ImportReport.as_dict).
REPORT_ROWS_KEPT = 200


@task()
def retrain_ranking(ranking_id):
    """Train one requested ranking of a reviewer's title/abstract queue."""
    ranking = Ranking.objects.filter(pk=ranking_id, status=Ranking.Status.TRAINING).first()
    if ranking is None:
        return None
    try:
        trained = prioritisation.train(ranking)
    except Exception as error:  # the queue must keep working: log it on the row, then re-raise
        Ranking.objects.filter(pk=ranking_id).update(
            status=Ranking.Status.FAILED, error=repr(error)[:2000], trained_at=timezone.now())
        raise
    return trained.pk if trained else None


@job_task("screening.simulate")
def simulate_review_screening(job):
    """The owners' simulation on their review's settled decisions, stored on its settings.

    Progress counts the relevant records found: the replay ends when the last
    one is, however many records that takes. Reporting after every record
    screened (mostly no change) is what lets a cancel or the time budget stop it.
    """
    review = job.job.review

    def progress(found, to_find):
        if job.job.progress_total != to_find:
            job.set_total(to_find)
        job.advance(found - job.job.progress_done)

    job.say("Replaying the settled title/abstract decisions.")
    report = prioritisation.simulate_review(review, on_progress=progress)
    settings, _ = PrioritisationSettings.objects.get_or_create(review=review)
    settings.last_simulation = report
    settings.save(update_fields=["last_simulation"])
    if "error" in report:  # kept on the settings too: the page says why there is no figure
        raise JobFailed(report["error"])
    summary = f"WSS@95 {report['wss@95']} on {report['records']:,} records"
    return {"result": {**report, "summary": summary},
            "result_url": reverse("screening:prioritisation", args=[review.slug])}


@job_task("sources.import")
def import_sources_job(job):
    params = job.params
    review = job.job.review

    def progress(done, total):
        # Units: each record once read, each valid one once matched and once saved
        # (import_sources says so); total is settled once the file is read.
        if job.job.progress_total != total:
            job.set_total(total)
        job.advance(max(0, done - job.job.progress_done))

    try:
        stream = open_upload(params["upload"])
    except FileNotFoundError as missing:
        raise JobFailed("The uploaded file is no longer there; upload it again.") from missing
    try:
        # The stored file is read as the import goes, a batch of records at a time.
        with stream:
            job.say(f"Reading {stream.size:,} bytes of {params['filename']}.")
            with job.atomic():
                report = import_sources(
                    review=review, data=stream, filename=params["filename"],
                    kind=params["kind"], user=job.job.owner, dry_run=params["dry_run"],
                    skip_invalid=params["skip_invalid"], encoding=params.get("encoding", ""),
                    on_progress=progress,
                    import_positions=params.get("import_positions", ()),
                    import_all_possible=params.get("import_all_possible", False),
                )
    except ImportRefused as refusal:
        delete_upload(params["upload"])  # the same file would be refused again
        raise JobFailed(refusal.message) from refusal
    delete_upload(params["upload"])
    if report.created and not params["dry_run"]:
        # After the commit, so the sources' pages do not plan on an empty table's statistics.
        refresh_statistics([SourceDocument])
    result = report.as_dict(rows_kept=REPORT_ROWS_KEPT)
    return {"result": result, "result_url": reverse("evidence:list", args=[review.slug])}

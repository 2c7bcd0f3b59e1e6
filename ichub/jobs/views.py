"""A job's page: a progress bar that htmx refreshes until the job ends, then its outcome.

The page is addressed by the job alone, so it can be left and opened again
(from the review's job list or a bookmark) while the job runs.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from ichub.jobs.files import result_response
from ichub.jobs.models import Job
from ichub.jobs.services import JobStateConflict, cancel_job
from ichub.permissions import get_review_for_user

# How often the page asks for progress while the job runs.
POLL_SECONDS = 1


def _get_job_for_user(user, pk):
    job = Job.objects.visible_to(user).select_related("review", "owner").filter(pk=pk).first()
    if job is None:
        raise Http404("No such job.")
    return job


@login_required
@require_safe
def job_detail(request, pk):
    job = _get_job_for_user(request.user, pk)
    context = {
        "job": job, "poll_seconds": POLL_SECONDS, "can_control": job.can_control(request.user),
        "can_download": job.can_download(request.user),
    }
    if request.htmx:
        return render(request, "jobs/_progress.html", context)
    return render(request, "jobs/detail.html", context)


@login_required
@require_safe
def job_file(request, pk):
    job = _get_job_for_user(request.user, pk)
    if not job.can_download(request.user):
        raise Http404("No file for you here: whoever started the job downloads it.")
    return result_response(job)


@login_required
@require_POST
def job_cancel(request, pk):
    job = _get_job_for_user(request.user, pk)
    if not job.can_control(request.user):
        raise PermissionDenied("Only whoever started the job and the review's editors may.")
    try:
        cancel_job(job=job)
    except JobStateConflict as conflict:
        messages.error(request, str(conflict))
    return redirect("jobs:detail", pk=job.pk)


@login_required
@require_safe
def review_jobs(request, slug):
    review = get_review_for_user(request.user, slug)
    jobs = Job.objects.visible_to(request.user).filter(review=review).select_related("owner")[:50]
    return render(request, "jobs/list.html", {"review": review, "jobs": jobs})

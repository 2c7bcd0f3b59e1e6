"""The browser's reference import: upload, preview what would happen, then confirm."""

import base64

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from evidence.importers import FORMATS, ImportRefused
from evidence.importers.api import start_import_job
from evidence.importers.forms import SourceImportForm
from evidence.importers.services import import_sources
from evidence.models import SourceDocument
from ichub.budget import time_budget
from ichub.permissions import EDITOR, get_review_for_user


def _get_review_for_user(request, slug):
    return get_review_for_user(request.user, slug, role=EDITOR)


# One pending preview per session, whichever review it is for: a new preview replaces
# the last, so a session holds at most one upload (issue 17: one key per review let
# a session grow without bound).
PENDING_KEY = "source-import"


@login_required
def source_import(request, slug):
    """GET: the upload form. POST: a dry run shown as a preview; 'confirm' imports it.

    The previewed file waits in the session (base64) so the user need not
    upload it twice, and what is imported is exactly what was previewed.
    """
    review = _get_review_for_user(request, slug)
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm(request, review)
    form = SourceImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        options = {key: form.cleaned_data[key]
                   for key in ("kind", "skip_invalid", "encoding", "import_all_possible")}
        if upload.size > settings.REFERENCE_IMPORT_JOB_BYTES:
            job = start_import_job(
                review=review, upload=upload, user=request.user,
                options={**options, "dry_run": False},
            )
            return redirect("jobs:detail", pk=job.pk)
        data = upload.read()
        try:
            with time_budget(settings.IMPORT_TIME_BUDGET_SECONDS):
                report = import_sources(
                    review=review, data=data, filename=upload.name, dry_run=True, **options
                )
        except ImportRefused as refusal:
            field = refusal.field if refusal.field in form.fields else "file"
            form.add_error(field, refusal.message)
            report = refusal.report
        else:
            request.session[PENDING_KEY] = {
                "review": review.pk,
                "data": base64.b64encode(data).decode("ascii"),
                "filename": upload.name,
                **options,
            }
    return render(
        request,
        "importers/import.html",
        {"review": review, "form": form, "report": report, "formats": FORMATS.values(),
         "kinds": SourceDocument.Kind.choices,
         "default_kind": form.cleaned_data.get("kind") if form.is_bound else None},
        status=400 if request.method == "POST" and form.errors else 200,
    )


def _kinds_per_record(data):
    """{position: kind} from the preview's per-record choices (`kind-<position>`)."""
    kinds = {}
    for name, value in data.items():
        prefix, _, position = name.partition("-")
        if prefix == "kind" and position.isdigit():
            kinds[int(position)] = value
    return kinds


def _confirm(request, review):
    pending = request.session.pop(PENDING_KEY, None)
    if pending is None or pending["review"] != review.pk:
        messages.error(request, "Nothing to import: upload the file again.")
        return redirect("sources_import:import", review.slug)
    try:
        with time_budget(settings.IMPORT_TIME_BUDGET_SECONDS):
            report = import_sources(
                review=review,
                data=base64.b64decode(pending["data"]),
                filename=pending["filename"],
                kind=pending["kind"],
                kinds=_kinds_per_record(request.POST),
                skip_invalid=pending["skip_invalid"],
                encoding=pending.get("encoding", ""),
                import_positions=[
                    int(p) for p in request.POST.getlist("import_position") if p.isdigit()
                ],
                import_all_possible="import_all_possible" in request.POST,
                user=request.user,
            )
    except ImportRefused as refusal:
        messages.error(request, refusal.message)
        return redirect("sources_import:import", review.slug)
    messages.success(request, f"Imported {pending['filename']}: {report.summary}.")
    return redirect("evidence:list", review.slug)

"""Report pages: the RAMESES report, the evidence matrix, downloads and the whole-review export."""

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ichub.jobs.services import start_job
from ichub.models import QualityRating
from ichub.permissions import EDITOR, get_review_for_user, has_role
from ichub.versioning import StaleVersion
from reports.checklists import assess, checklist_for, does_not_apply
from reports.downloads import (
    DOWNLOADS,
    EXPORT,
    MATRIX_FILES,
    MATRIX_OPTIONS,
    build_download,
    delivery,
    job_files_for,
)
from reports.forms import ReviewImportForm
from reports.matrix import matrix_columns, matrix_part, matrix_rows
from reports.quality import save_self_assessment, self_assessment
from reports.rameses import Section, findings_sections, rameses_report
from reports.rameses_lists import (
    characteristics_table,
    current_findings,
    furthest_theories,
    included_documents,
)
from reports.responses import attachment, export_response, streamed_response
from reports.services import file_job_for, save_not_applicable, start_review_import
from reports.tasks import build_review_file_job, export_review_archive_job, export_review_job
from reports.transfer import TransferRefused

# The report page shows this many included documents and current CMOCs; their own
# pages show the rest, a page at a time (the downloads hold them all).
RAMESES_ROWS_SHOWN = 50
DOCUMENTS_PER_PAGE = 100
FINDINGS_PER_PAGE = 25
# The evidence matrix page: this many sources (rows) by this many CMOCs (columns).
MATRIX_ROWS = 100
MATRIX_COLUMNS = 20


def _get_review_for_user(request, slug):
    return get_review_for_user(request.user, slug)


def rameses_page(request, slug):
    review = _get_review_for_user(request, slug)
    return render(
        request,
        "reports/rameses.html",
        # Files made by a worker (a progress page, then a download link) rather than in
        # the request: the ones whose cost grows with the review beyond a few seconds.
        {"review": review, "report": rameses_report(review, rows_shown=RAMESES_ROWS_SHOWN),
         "downloads": DOWNLOADS, "job_files": job_files_for(request.user, review)},
    )


def rameses_documents(request, slug):
    """The report's "Document characteristics" table, a page at a time."""
    review = _get_review_for_user(request, slug)
    page = Paginator(included_documents(review), DOCUMENTS_PER_PAGE).get_page(
        request.GET.get("page"))
    section = Section(f"Included documents {page.start_index()}–{page.end_index()}").add(
        "table", **characteristics_table(page.object_list))
    return render(request, "reports/rameses_part.html", {
        "review": review, "page": page, "sections": [section], "what": "included documents",
        "heading": "Document characteristics"})


def rameses_findings(request, slug):
    """The report's "Main findings": the current CMOCs theory by theory, a page at a time."""
    review = _get_review_for_user(request, slug)
    theories = furthest_theories(review)
    page = Paginator(current_findings(theories), FINDINGS_PER_PAGE).get_page(
        request.GET.get("page"))
    sections = findings_sections(theories, page.object_list)
    return render(request, "reports/rameses_part.html", {
        "review": review, "page": page, "sections": sections, "what": "current CMOCs",
        "heading": "Main findings"})


def quality(request, slug):
    """The team's self-assessment against the RAMESES quality standards: editors rate."""
    writing = request.method == "POST"
    if writing and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    review = get_review_for_user(request.user, slug, role=EDITOR if writing else None)
    errors = {}
    if writing:
        keys = [standard.key for standard, _ in self_assessment(review)]
        ratings = {
            key: (request.POST.get(f"rating-{key}", ""), request.POST.get(f"note-{key}", ""))
            for key in keys
        }
        versions = {key: _int(request.POST.get(f"version-{key}")) for key in keys
                    if f"version-{key}" in request.POST}
        errors = _refusal(lambda: save_self_assessment(
            review=review, user=request.user, ratings=ratings, versions=versions))
        if not errors:
            return redirect("reports:quality", slug=review.slug)
    return render(
        request,
        "reports/quality.html",
        {
            "review": review,
            "rows": self_assessment(review),
            "can_edit": has_role(request.user, review, EDITOR),
            "ratings": QualityRating.Rating.choices,
            "not_realist": does_not_apply(review),
            "errors": errors,
        },
        status=_status(errors),
    )


CONFLICT = ("Someone saved changes here since you opened this page. Nothing of yours was "
            "saved: this page now shows their version; redo your change on it.")


def _refusal(save):
    """Run a save of the page's form; what refused it, by field ({} when it saved)."""
    try:
        save()
    except ValidationError as exc:
        return exc.message_dict
    except StaleVersion:
        return {"conflict": [CONFLICT]}
    return {}


def _status(errors):
    """412 when someone saved first (the page shows their version), 400 for bad input."""
    return (412 if "conflict" in errors else 400) if errors else 200


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1  # matches no version: the save is refused as a conflict


def checklist(request, slug):
    """The review's RAMESES checklist; editors mark items not applicable, with a reason."""
    writing = request.method == "POST"
    if writing and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    review = get_review_for_user(request.user, slug, role=EDITOR if writing else None)
    errors = {}
    if writing:
        # Every item the form sent (by its version field): the service refuses unknown ones.
        choices = {
            int(n): (request.POST.get(f"na-{n}") == "on", request.POST.get(f"reason-{n}", ""),
                     _int(request.POST.get(f"version-{n}")))
            for n in (key.removeprefix("version-") for key in request.POST)
            if n.isdigit() and len(n) < 4
        }
        errors = _refusal(lambda: save_not_applicable(
            review=review, user=request.user, choices=choices))
        if not errors:
            return redirect("reports:checklist", slug=review.slug)
    return render(
        request,
        "reports/checklist.html",
        {
            "review": review,
            "checklist": checklist_for(review),
            "not_realist": does_not_apply(review),
            "rows": _checklist_rows(assess(review), request.POST if errors and
                                    "conflict" not in errors else None),
            "can_edit": has_role(request.user, review, EDITOR),
            "errors": errors,
        },
        status=_status(errors),
    )


def _checklist_rows(assessments, posted):
    """(assessment, marked, reason, version) per item: the stored marks, or what the editor
    typed when their save was refused for a fault of its own (so no typing is lost)."""
    rows = []
    for a in assessments:
        mark, n = a.not_applicable, a.item.number
        stored = (bool(mark), mark.reason if mark else "", mark.version if mark else 0)
        if posted is not None and f"version-{n}" in posted:
            stored = (posted.get(f"na-{n}") == "on", posted.get(f"reason-{n}", ""),
                      posted.get(f"version-{n}"))
        rows.append((a, *stored))
    return rows


def download(request, slug, name):
    if name not in DOWNLOADS:
        raise Http404("No such download.")
    return _deliver(request, _get_review_for_user(request, slug), name)


def _deliver(request, review, name, matrix=None):
    """A GET of one of the review's files: the file, streamed on a large review where its
    format allows, else (large review) the progress page of the reader's job making it.

    A link, a bookmark or a script's GET of a large review's file then never builds it
    in the request; an anonymous reader is asked to sign in (a job needs an owner).
    """
    how = delivery(review, name)
    if how == "job":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        job = file_job_for(user=request.user, review=review, name=name, matrix=matrix)
        return redirect("jobs:detail", pk=job.pk)
    if how == "stream":
        return streamed_response(review, name, DOWNLOADS[name])
    if name == EXPORT:
        return export_response(review, reader=request.user)
    data = build_download(review, name, **(matrix or {}))
    return attachment(HttpResponse(data, content_type=DOWNLOADS[name].content_type),
                      f"{review.slug}-{name}")


def export(request, slug):
    return _deliver(request, _get_review_for_user(request, slug), EXPORT)


@login_required
@require_POST
def export_job(request, slug):
    """Start the whole-review export as a job; its page shows progress, then the download."""
    review = _get_review_for_user(request, slug)
    job = start_job(task=export_review_job, owner=request.user, review=review)
    return redirect("jobs:detail", pk=job.pk)


@login_required
@require_POST
def export_archive_job(request, slug):
    """The whole review with its stored files, as a zip made by a job."""
    review = _get_review_for_user(request, slug)
    job = start_job(task=export_review_archive_job, owner=request.user, review=review)
    return redirect("jobs:detail", pk=job.pk)


@login_required
@require_POST
def file_job(request, slug, name):
    """Start making one of the review's files (the Word report...) as a job.

    The evidence matrix takes the matrix page's options (posted as 1), so the file
    holds what the page showed."""
    if name not in DOWNLOADS:
        raise Http404("No such download.")
    review = _get_review_for_user(request, slug)
    params = {"name": name}
    if name in MATRIX_FILES:
        params["matrix"] = _matrix_options(request.POST)
    job = start_job(task=build_review_file_job, owner=request.user, review=review,
                    params=params)
    return redirect("jobs:detail", pk=job.pk)


@login_required
def review_import(request):
    """Upload a whole-review export; it is restored as a job, then its page links the review."""
    form = ReviewImportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                job = start_review_import(upload=form.cleaned_data["file"], user=request.user)
            except TransferRefused as refusal:
                form.add_error("file", refusal.message)
                status = refusal.status
            else:
                return redirect("jobs:detail", pk=job.pk)
    return render(request, "reports/review_import.html", {"form": form}, status=status)


def _matrix_options(query):
    """The page's options, read the same way by the page and by its downloads."""
    return {name: query.get(name) == "1" for name in MATRIX_OPTIONS}


def matrix(request, slug):
    """The evidence matrix a page of rows and a page of columns at a time.

    Every included source x every current CMOC grows with the review; a page reads
    MATRIX_ROWS sources, MATRIX_COLUMNS CMOCs and the links between them only.
    """
    review = _get_review_for_user(request, slug)
    options = _matrix_options(request.GET)
    columns = matrix_columns(review, include_retired=options["include_retired"])
    column_page = Paginator(columns, MATRIX_COLUMNS).get_page(request.GET.get("columns"))
    row_page = Paginator(matrix_rows(review, columns, hide_empty=options["hide_empty"]),
                         MATRIX_ROWS).get_page(request.GET.get("page"))
    part = matrix_part(review, column_page.object_list, row_page.object_list)
    # Sources may come from a review whose evidence bears on this one's theories: their
    # pages live under its slug.
    rows = [
        (source, source.review.slug,
         [(cmoc, part.labelled_stances(cmoc.pk, source.pk)) for cmoc in part.cmocs])
        for source in part.sources
    ]
    query = "&".join(f"{name}=1" for name, on in options.items() if on)
    return render(request, "reports/matrix.html", {
        "review": review, "matrix": part, "rows": rows, "options": options, "query": query,
        "row_page": row_page, "column_page": column_page,
        "job_files": job_files_for(request.user, review),
        "matrix_jobs": [("evidence-matrix.csv", "CSV"), ("evidence-matrix.xlsx", "Excel")],
    })


def matrix_download(request, slug, fmt):
    """The table the page shows, with its options, as CSV or Excel (formulas neutralised)."""
    review = _get_review_for_user(request, slug)
    return _deliver(request, review, f"evidence-matrix.{fmt}", _matrix_options(request.GET))

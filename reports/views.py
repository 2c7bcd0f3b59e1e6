"""Report pages: the RAMESES report, the evidence matrix, downloads and the whole-review export."""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from ichub.models import QualityRating, Review
from ichub.permissions import EDITOR, get_review_for_user, has_role
from reports.downloads import DOWNLOADS, matrix_table, to_csv
from reports.matrix import evidence_matrix
from reports.quality import save_self_assessment, self_assessment
from reports.rameses import rameses_report
from reports.responses import attachment, download_response, export_response


def _get_review_for_user(request, slug):
    return get_review_for_user(request.user, slug)


def rameses_page(request, slug):
    review = _get_review_for_user(request, slug)
    return render(
        request,
        "reports/rameses.html",
        {"review": review, "report": rameses_report(review), "downloads": DOWNLOADS},
    )


def quality(request, slug):
    """The team's self-assessment against the RAMESES quality standards: editors rate."""
    writing = request.method == "POST"
    if writing and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    review = get_review_for_user(request.user, slug, role=EDITOR if writing else None)
    errors = {}
    if writing:
        ratings = {
            standard.key: (
                request.POST.get(f"rating-{standard.key}", ""),
                request.POST.get(f"note-{standard.key}", ""),
            )
            for standard, _ in self_assessment(review)
        }
        try:
            save_self_assessment(review=review, user=request.user, ratings=ratings)
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            return redirect("reports:quality", slug=review.slug)
    return render(
        request,
        "reports/quality.html",
        {
            "review": review,
            "rows": self_assessment(review),
            "can_edit": has_role(request.user, review, EDITOR),
            "ratings": QualityRating.Rating.choices,
            "errors": errors,
        },
        status=400 if errors else 200,
    )


def download(request, slug, name):
    download = DOWNLOADS.get(name)
    if download is None:
        raise Http404("No such download.")
    return download_response(_get_review_for_user(request, slug), name, download)


def export(request, slug):
    return export_response(_get_review_for_user(request, slug), reader=request.user)


def matrix(request, slug):
    review = _get_review_for_user(request, slug)
    result = evidence_matrix(review)
    # Sources may come from a review that tests this one: their pages live under its slug.
    slugs = dict(
        Review.objects.filter(pk__in={s.review_id for s in result.sources}).values_list(
            "pk", "slug"
        )
    )
    rows = [
        (
            source,
            slugs[source.review_id],
            [(cmoc, result.stances(cmoc.pk, source.pk)) for cmoc in result.cmocs],
        )
        for source in result.sources
    ]
    return render(request, "reports/matrix.html", {
        "review": review, "matrix": result, "rows": rows,
    })


def matrix_csv(request, slug):
    """The same table the downloads offer, with spreadsheet formulas neutralised there."""
    review = _get_review_for_user(request, slug)
    header, rows = matrix_table(review)
    response = HttpResponse(to_csv(header, rows), content_type="text/csv; charset=utf-8")
    return attachment(response, f"{review.slug}-evidence-matrix.csv")

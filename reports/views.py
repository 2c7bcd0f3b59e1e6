"""Report pages: the RAMESES report, the evidence matrix, downloads and the whole-review export."""

from django.http import Http404, HttpResponse
from django.shortcuts import render

from ichub.models import Review
from ichub.permissions import get_review_for_user
from reports.downloads import DOWNLOADS, matrix_table, to_csv
from reports.matrix import evidence_matrix
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


def download(request, slug, name):
    download = DOWNLOADS.get(name)
    if download is None:
        raise Http404("No such download.")
    return download_response(_get_review_for_user(request, slug), name, download)


def export(request, slug):
    return export_response(_get_review_for_user(request, slug))


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

"""The RAMESES report page, the review's downloads and its whole-review export."""

from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render

from ichub.api_transfer import download_response
from ichub.permissions import get_review_for_user
from ichub.transfer import export_review_chunks
from programme_theories.exports import DOWNLOADS
from programme_theories.rameses import rameses_report


def _get_review_for_user(request, slug):
    return get_review_for_user(request.user, slug)


def rameses_page(request, slug):
    review = _get_review_for_user(request, slug)
    return render(
        request,
        "transfer/rameses.html",
        {"review": review, "report": rameses_report(review), "downloads": DOWNLOADS},
    )


def download(request, slug, name):
    download = DOWNLOADS.get(name)
    if download is None:
        raise Http404("No such download.")
    return download_response(_get_review_for_user(request, slug), name, download)


def export(request, slug):
    review = _get_review_for_user(request, slug)
    response = StreamingHttpResponse(
        export_review_chunks(review), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{review.slug}.json"'
    return response

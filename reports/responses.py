"""The one way a review's file leaves ichub, for the browser and the API alike.

Both surfaces answer a download with the same bytes, content type and file
name (`<slug>-<name>`), so a file saved from the page and one fetched by a
script are interchangeable.
"""

from django.http import HttpResponse, StreamingHttpResponse


def attachment(response, filename):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def download_response(review, name, download):
    """One of `reports.downloads.DOWNLOADS`, built for this review."""
    response = HttpResponse(download.build(review), content_type=download.content_type)
    return attachment(response, f"{review.slug}-{name}")


def export_response(review, *, reader):
    """The whole review as one JSON document, streamed as it is written.

    Only what `reader` may see of other reviews is in it (see export_review_chunks).
    """
    from reports.transfer import export_review_chunks

    response = StreamingHttpResponse(
        export_review_chunks(review, reader=reader),
        content_type="application/json; charset=utf-8",
    )
    return attachment(response, f"{review.slug}.json")

"""The one way a review's file leaves ichub, for the browser and the API alike.

Both surfaces answer a download with the same bytes, content type and file
name (`<slug>-<name>`), so a file saved from the page and one fetched by a
script are interchangeable.
"""

from django.http import StreamingHttpResponse


def attachment(response, filename):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def streamed_response(review, name, download):
    """A large review's file that `reports.downloads.stream_download` writes chunk by chunk."""
    from reports.downloads import stream_download

    response = StreamingHttpResponse(stream_download(review, name),
                                     content_type=download.content_type)
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

"""The API's one pagination style, in its own module because DRF imports it at start-up.

(It cannot live in ichub/api.py: DRF's generic views import the pagination
class while ichub/api.py is itself still importing them.)
"""

from rest_framework.pagination import PageNumberPagination


class StandardPagination(PageNumberPagination):
    """`?page=N&page_size=M`: 50 rows a page by default, at most 500."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

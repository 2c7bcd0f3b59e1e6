"""REST endpoints for source documents and their excerpts."""

from drf_spectacular.utils import extend_schema_view
from rest_framework import viewsets

from evidence.filters import ExcerptFilter, SourceFilter
from evidence.models import Excerpt, SourceDocument
from evidence.serializers import ExcerptSerializer, SourceSerializer
from ichub.drf import ScopedViewSetMixin
from ichub.etags import IfMatchUpdateMixin, if_match_schema


@extend_schema_view(**if_match_schema("source", SourceSerializer))
class SourceViewSet(IfMatchUpdateMixin, ScopedViewSetMixin, viewsets.ModelViewSet):
    serializer_class = SourceSerializer
    filterset_class = SourceFilter
    etag_label = "source"

    def get_queryset(self):
        return self.scope(
            SourceDocument.objects.select_related("review", "created_by").order_by(
                "review_id", "authors", "year", "id"
            )
        )


class ExcerptViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    serializer_class = ExcerptSerializer
    filterset_class = ExcerptFilter
    review_path = "source__review"

    def get_queryset(self):
        return self.scope(
            Excerpt.objects.select_related("source__review", "created_by").order_by(
                "source_id", "id"
            )
        )

    def review_for_create(self, validated_data):
        return validated_data["source"].review

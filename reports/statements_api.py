"""REST endpoints for what the team writes about its own review: the authors' method
statements, the RAMESES quality self-assessment and checklist items marked not applicable.

Readers of a review read them; editors and owners write them. Every edit and
delete sends If-Match with the ETag of the version it started from (428
without, 412 when someone changed it first), and history keeps each version.
"""

import django_filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.response import Response

from ichub.drf import MAX_TEXT, BooleanFilter, ScopedViewSetMixin, VisibleReviewSlugField
from ichub.etags import (
    ERROR_400,
    IF_MATCH_PARAMETER,
    PreconditionFailed,
    etag_response_header,
    expected_version,
    precondition_responses,
    with_etag,
)
from ichub.models import MethodStatement, NotApplicableItem, QualityRating
from ichub.permissions import EDITOR, require_role
from ichub.versioning import StaleVersion
from reports import services
from reports.checklists import checklist_for
from reports.quality import STANDARDS


class _ReviewRowSerializer(serializers.ModelSerializer):
    review = VisibleReviewSlugField()
    version = serializers.IntegerField(read_only=True)

    def validate_review(self, review):
        if self.instance is not None and review != self.instance.review:
            raise serializers.ValidationError("A row cannot move to another review.")
        return review


class MethodStatementSerializer(_ReviewRowSerializer):
    class Meta:
        model = MethodStatement
        fields = ["id", "review", "aspect", "order", "text", "quoted", "location", "version"]
        extra_kwargs = {"text": {"max_length": MAX_TEXT}}
        validators = []  # uniqueness: the model's full_clean names the field (order)


class QualityRatingSerializer(_ReviewRowSerializer):
    standard = serializers.ChoiceField(choices=sorted(STANDARDS))
    name = serializers.SerializerMethodField()
    rated_by = serializers.CharField(source="rated_by.username", read_only=True, default=None)

    class Meta:
        model = QualityRating
        fields = ["id", "review", "standard", "name", "rating", "note", "rated_by",
                  "updated_at", "version"]
        extra_kwargs = {"note": {"max_length": MAX_TEXT}}
        validators = []  # one rating per standard: the service says so under "standard"

    def get_name(self, rating) -> str:
        return STANDARDS[rating.standard].name

    def validate_standard(self, standard):
        if self.instance is not None and standard != self.instance.standard:
            raise serializers.ValidationError("Rate another standard with a new rating.")
        return standard


class NotApplicableItemSerializer(_ReviewRowSerializer):
    checklist = serializers.CharField(read_only=True)
    set_by = serializers.CharField(source="set_by.username", read_only=True, default=None)

    class Meta:
        model = NotApplicableItem
        fields = ["id", "review", "checklist", "item", "reason", "set_by", "updated_at",
                  "version"]
        extra_kwargs = {"reason": {"max_length": MAX_TEXT},
                        "item": {"min_value": 1, "max_value": 99}}
        validators = []  # one mark per item: the service says so under "item"

    def validate_item(self, item):
        if self.instance is not None and item != self.instance.item:
            raise serializers.ValidationError("Mark another item with a new row.")
        return item

    def validate(self, attrs):
        review = attrs.get("review") or self.instance.review
        checklist = checklist_for(review)
        item = attrs.get("item", self.instance.item if self.instance else None)
        if item not in {i.number for i in checklist.items}:
            raise serializers.ValidationError({"item": f"{checklist.title} has no item {item}."})
        return attrs


class _ReviewFilter(django_filters.FilterSet):
    review = django_filters.CharFilter(field_name="review__slug", help_text="Review slug")


class MethodStatementFilter(_ReviewFilter):
    quoted = BooleanFilter()  # `?quoted=AAA` is a 400, not "no filter"

    class Meta:
        model = MethodStatement
        fields = ["review", "aspect", "quoted"]


class QualityRatingFilter(_ReviewFilter):
    class Meta:
        model = QualityRating
        fields = ["review", "standard", "rating"]


class NotApplicableItemFilter(_ReviewFilter):
    class Meta:
        model = NotApplicableItem
        fields = ["review", "checklist"]


def _versioned_schema(serializer, label):
    etag = etag_response_header(label)
    write = {"parameters": [IF_MATCH_PARAMETER, etag],
             "responses": {200: serializer, 400: ERROR_400, **precondition_responses()}}
    return extend_schema_view(
        retrieve=extend_schema(parameters=[etag]),
        create=extend_schema(parameters=[etag], responses={201: serializer, 400: ERROR_400}),
        update=extend_schema(**write),
        partial_update=extend_schema(**write),
        destroy=extend_schema(parameters=[IF_MATCH_PARAMETER],
                              responses={204: OpenApiResponse(description="Deleted"),
                                         **precondition_responses()}),
    )


class _VersionedRowViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """Reads for the review's readers; writes for its editors, each naming its version."""

    etag_label = ""
    ordering = ()

    def get_queryset(self):
        model = self.get_serializer_class().Meta.model
        return self.scope(model.objects.select_related("review")).order_by(
            "review_id", *self.ordering, "id"
        )

    def _respond(self, record, code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=record.pk)
        return with_etag(Response(self.get_serializer(fresh).data, status=code),
                         self.etag_label, fresh)

    def retrieve(self, request, *args, **kwargs):
        return self._respond(self.get_object())

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        review = fields.pop("review")
        require_role(request.user, review, EDITOR)
        record = self.create_record(review=review, user=request.user, **fields)
        return self._respond(record, status.HTTP_201_CREATED)

    def update(self, request, *args, partial=False, **kwargs):
        record = self.get_object()
        version = expected_version(request, label=self.etag_label, record=record)
        serializer = self.get_serializer(record, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        fields = {k: v for k, v in serializer.validated_data.items() if k != "review"}
        try:
            self.update_record(record=record, user=request.user, expected_version=version,
                               **fields)
        except StaleVersion as exc:
            raise PreconditionFailed(exc.current_version) from exc
        return self._respond(record)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    def destroy(self, request, *args, **kwargs):
        record = self.get_object()
        version = expected_version(request, label=self.etag_label, record=record)
        try:
            services.delete_record(record=record, user=request.user, expected_version=version)
        except StaleVersion as exc:
            raise PreconditionFailed(exc.current_version) from exc
        return Response(status=status.HTTP_204_NO_CONTENT)


@_versioned_schema(MethodStatementSerializer, "method_statement")
class MethodStatementViewSet(_VersionedRowViewSet):
    """The authors' own words on each aspect of their method (`quoted`: verbatim)."""

    serializer_class = MethodStatementSerializer
    filterset_class = MethodStatementFilter
    etag_label = "method_statement"
    ordering = ("aspect", "order")

    def create_record(self, **fields):
        return services.create_method_statement(**fields)

    def update_record(self, *, record, **fields):
        return services.update_method_statement(statement=record, **fields)


@_versioned_schema(QualityRatingSerializer, "quality_rating")
class QualityRatingViewSet(_VersionedRowViewSet):
    """The team's own rating of its review against each RAMESES quality standard."""

    serializer_class = QualityRatingSerializer
    filterset_class = QualityRatingFilter
    etag_label = "quality_rating"
    ordering = ("standard",)

    def get_queryset(self):
        return super().get_queryset().select_related("rated_by")

    def create_record(self, **fields):
        return services.create_quality_rating(**fields)

    def update_record(self, *, record, **fields):
        return services.update_quality_rating(rating=record, **fields)


@_versioned_schema(NotApplicableItemSerializer, "not_applicable_item")
class NotApplicableItemViewSet(_VersionedRowViewSet):
    """Items of the review's RAMESES checklist its team says do not apply, and why.

    The checklist is the review's own (RAMESES II for a realist evaluation, the
    synthesis standards otherwise); deleting a row makes the item count again.
    """

    serializer_class = NotApplicableItemSerializer
    filterset_class = NotApplicableItemFilter
    etag_label = "not_applicable_item"
    ordering = ("checklist", "item")

    def get_queryset(self):
        return super().get_queryset().select_related("set_by")

    def create_record(self, **fields):
        return services.create_not_applicable(**fields)

    def update_record(self, *, record, **fields):
        fields.pop("item", None)
        fields.setdefault("reason", record.reason)
        return services.update_not_applicable(mark=record, **fields)

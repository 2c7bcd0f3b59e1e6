"""The API's shared plumbing (pagination, errors, scoped viewsets) and the review endpoints."""

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import (
    CharField,
    OuterRef,
    ProtectedError,
    RestrictedError,
    Subquery,
    Value,
)
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from evidence.flow import screening_flow
from ichub.models import Membership, Review
from ichub.permissions import ReviewRolePermission, require_role, scope_to_visible
from programme_theories.reports import evidence_matrix

SLUG_REGEX = r"[-a-zA-Z0-9_]+"
ID_REGEX = r"[0-9]+"
MAX_TEXT = 20_000


class IntegerFilter(django_filters.NumberFilter):
    """An integer (an id, a year): "1.5" is refused instead of read as 1."""

    field_class = forms.IntegerField


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "Other records still depend on this one."
    default_code = "conflict"


def as_drf_validation_error(exc):
    """A Django ValidationError as DRF's, each message under the field it is about.

    A uniqueness error arrives as a whole-record error, but it is about the
    last field of its unique set (citation_key of (review, citation_key)),
    so it is filed there; other record-wide errors go under non_field_errors.
    """
    errors = getattr(exc, "error_dict", None) or {NON_FIELD_ERRORS: exc.error_list}
    detail = {}
    for field, field_errors in errors.items():
        for error in field_errors:
            target = field
            if field == NON_FIELD_ERRORS:
                unique_check = (error.params or {}).get("unique_check")
                target = unique_check[-1] if unique_check else api_settings.NON_FIELD_ERRORS_KEY
            detail.setdefault(target, []).extend(error.messages)
    return serializers.ValidationError(detail)


def full_clean(instance):
    """Run the model's own rules (clean, constraints) from a serializer, as DRF errors."""
    try:
        instance.full_clean()
    except DjangoValidationError as exc:
        raise as_drf_validation_error(exc) from exc


def exception_handler(exc, context):
    """Domain errors become the HTTP errors the API promises, never a 500.

    The services speak Django (ValidationError with a field dict) so that forms
    and admin can reuse them; this translates for DRF. An IntegrityError that
    gets past validation (two clients racing for one unique key) is a conflict.
    """
    if isinstance(exc, DjangoValidationError):
        exc = as_drf_validation_error(exc)
    elif isinstance(exc, ProtectedError | RestrictedError):
        names = sorted({type(obj)._meta.verbose_name for obj in exc.protected_objects}
                       if isinstance(exc, ProtectedError)
                       else {type(obj)._meta.verbose_name for obj in exc.restricted_objects})
        exc = Conflict(f"Still used by: {', '.join(names)}. Remove those uses first.")
    elif isinstance(exc, IntegrityError):
        exc = Conflict("Someone else just made a conflicting change: reload and try again.")
    return drf_exception_handler(exc, context)


class ScopedViewSetMixin:
    """Rows only from reviews the user may read; writes only where they may edit.

    `review_path` leads from the model to its review. Creation checks the
    review the payload names (`review_for_create`); every write is one
    transaction and records its author.
    """

    review_path = "review"
    permission_classes = [ReviewRolePermission]
    lookup_value_regex = ID_REGEX

    def scope(self, queryset):
        return scope_to_visible(queryset, self.request.user, self.review_path)

    def review_for_create(self, validated_data):
        return validated_data["review"]

    def perform_create(self, serializer):
        require_role(self.request.user, self.review_for_create(serializer.validated_data),
                     write=True)
        with transaction.atomic():
            serializer.save(created_by=self.request.user)

    def perform_update(self, serializer):
        with transaction.atomic():
            serializer.save()

    def perform_destroy(self, instance):
        with transaction.atomic():
            instance._history_user = self.request.user
            instance.delete()


def refuse_reparenting(instance, attrs, field, message):
    """On update, refuse to move a row to another parent (review, source, CMOC).

    Rows are scoped by their parent's review; moving one would carry it past
    the permission check made on the old parent.
    """
    if instance is not None and field in attrs and attrs[field] != getattr(instance, field):
        raise serializers.ValidationError({field: message})


class TextKeyRelatedField(serializers.SlugRelatedField):
    """A related row named by a text key (slug, username), refusing NUL before any query.

    PostgreSQL rejects NUL in any string with a DataError, which DRF's own
    field would let through as a 500.
    """

    def to_internal_value(self, data):
        if not isinstance(data, str) or "\x00" in data:
            self.fail("invalid")
        return super().to_internal_value(data)


class VisibleReviewSlugField(TextKeyRelatedField):
    """A review named by slug, among those the requesting user may read."""

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "slug")
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        return Review.objects.visible_to(request.user if request else None)


class VisibleRelatedField(serializers.PrimaryKeyRelatedField):
    """A related row by id, among rows of reviews the user may read.

    Rows of invisible reviews read as "does not exist", so ids cannot be
    probed; a visible row of another review reaches the model's clean(),
    which names the field.
    """

    def __init__(self, *, review_path="review", **kwargs):
        self.review_path = review_path
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        queryset = super().get_queryset()
        if request is None:
            return queryset.none()
        return scope_to_visible(queryset, request.user, self.review_path)

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)


# --- reviews -----------------------------------------------------------------------------


class ReviewSerializer(serializers.ModelSerializer):
    tests_theories_of = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    my_role = serializers.CharField(read_only=True, allow_null=True)

    year = serializers.IntegerField(min_value=0, max_value=32767, required=False,
                                    allow_null=True)

    class Meta:
        model = Review
        fields = [
            "id", "slug", "title", "question", "method", "reporting_standard", "summary",
            "authors", "year", "citation", "doi", "visibility", "tests_theories_of", "notes",
            "my_role", "created_at", "updated_at",
        ]
        extra_kwargs = {
            "question": {"max_length": MAX_TEXT},
            "summary": {"max_length": MAX_TEXT},
            "citation": {"max_length": MAX_TEXT},
            "notes": {"max_length": MAX_TEXT},
        }

    def validate_slug(self, value):
        if self.instance is not None and value != self.instance.slug:
            raise serializers.ValidationError("A review's slug cannot change: links use it.")
        return value


class FlowExclusionSerializer(serializers.Serializer):
    source_id = serializers.IntegerField()
    citation_key = serializers.CharField()
    citation = serializers.CharField()
    reason = serializers.CharField(allow_blank=True)


class FlowStageSerializer(serializers.Serializer):
    stage = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField(allow_null=True)
    count_origin = serializers.CharField()
    note = serializers.CharField(allow_blank=True)
    exclusions = FlowExclusionSerializer(many=True)


class FlowSerializer(serializers.Serializer):
    review = serializers.CharField()
    stages = FlowStageSerializer(many=True)


class MatrixCMOCSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    statement = serializers.CharField()
    status = serializers.CharField()


class MatrixSourceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    citation_key = serializers.CharField()
    citation = serializers.CharField(source="short_citation")
    authors = serializers.CharField()
    year = serializers.IntegerField(allow_null=True)
    title = serializers.CharField()
    review = serializers.IntegerField(source="review_id")


class MatrixLinkSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    stance = serializers.CharField()
    element = serializers.CharField()


class MatrixCellSerializer(serializers.Serializer):
    cmoc = serializers.IntegerField()
    source = serializers.IntegerField()
    stances = serializers.ListField(child=serializers.CharField())
    links = MatrixLinkSerializer(many=True)


class MatrixSerializer(serializers.Serializer):
    review = serializers.CharField()
    cmocs = MatrixCMOCSerializer(many=True)
    sources = MatrixSourceSerializer(many=True)
    cells = MatrixCellSerializer(many=True)


class MembershipSerializer(serializers.ModelSerializer):
    username = TextKeyRelatedField(
        source="user", slug_field="username", queryset=get_user_model().objects.all()
    )

    class Meta:
        model = Membership
        fields = ["username", "role", "created_at"]


class MembershipRoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Membership.Role.choices)


class ReviewPermission(IsAuthenticatedOrReadOnly):
    """Any signed-in user may start a review; editors edit it, owners delete it."""

    def has_object_permission(self, request, view, obj):
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        if request.method == "DELETE":
            return obj.can_manage(request.user)
        return obj.can_edit(request.user)


@extend_schema_view(
    list=extend_schema(summary="Reviews you may read"),
    retrieve=extend_schema(summary="One review, by slug"),
)
class ReviewViewSet(viewsets.ModelViewSet):
    serializer_class = ReviewSerializer
    permission_classes = [ReviewPermission]
    lookup_field = "slug"
    lookup_value_regex = SLUG_REGEX

    def get_queryset(self):
        user = self.request.user
        queryset = Review.objects.visible_to(user).prefetch_related("tests_theories_of")
        if user.is_authenticated and user.is_staff:
            queryset = queryset.annotate(my_role=Value(Membership.Role.OWNER))
        elif user.is_authenticated:
            queryset = queryset.annotate(
                my_role=Subquery(
                    Membership.objects.filter(review=OuterRef("pk"), user=user).values("role")[:1]
                )
            )
        else:
            queryset = queryset.annotate(my_role=Value(None, output_field=CharField()))
        return queryset.order_by("title", "id")

    def perform_create(self, serializer):
        with transaction.atomic():
            review = serializer.save()
            Membership.objects.create(
                review=review, user=self.request.user, role=Membership.Role.OWNER
            )
        review.my_role = Membership.Role.OWNER

    def perform_update(self, serializer):
        with transaction.atomic():
            serializer.save()


    @extend_schema(summary="The screening flow, stage by stage", responses=FlowSerializer)
    @action(detail=True, methods=["get"])
    def flow(self, request, slug=None):
        review = self.get_object()
        return Response({"review": review.slug, "stages": screening_flow(review)})

    @extend_schema(summary="The evidence matrix: refined CMOCs × sources",
                   responses=MatrixSerializer)
    @action(detail=True, methods=["get"])
    def matrix(self, request, slug=None):
        review = self.get_object()
        matrix = evidence_matrix(review)
        cells = [
            {"cmoc": cmoc_id, "source": source_id, "links": links,
             "stances": matrix.stances(cmoc_id, source_id)}
            for (cmoc_id, source_id), links in sorted(matrix.cells.items())
        ]
        return Response(
            {
                "review": review.slug,
                "cmocs": MatrixCMOCSerializer(matrix.cmocs, many=True).data,
                "sources": MatrixSourceSerializer(matrix.sources, many=True).data,
                "cells": cells,
            }
        )

    @extend_schema(methods=["GET"], summary="The review's members",
                   responses=MembershipSerializer(many=True))
    @extend_schema(methods=["POST"], summary="Add a member (owners only)",
                   request=MembershipSerializer, responses={201: MembershipSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None,
            permission_classes=[IsAuthenticatedOrReadOnly])
    def members(self, request, slug=None):
        review = self.get_object()
        if request.method == "GET":
            if review.role_of(request.user) is None:
                raise PermissionDenied("Only the review's members see who else belongs to it.")
            memberships = review.memberships.select_related("user").order_by("user__username")
            return Response(MembershipSerializer(memberships, many=True).data)
        require_role(request.user, review, manage=True)
        serializer = MembershipSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if review.memberships.filter(user=serializer.validated_data["user"]).exists():
            raise serializers.ValidationError({"username": "Already a member of this review."})
        membership = serializer.save(review=review)
        return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["PATCH"], summary="Change a member's role (owners only)",
                   request=MembershipRoleSerializer, responses=MembershipSerializer)
    @extend_schema(methods=["DELETE"], summary="Remove a member (owners only)",
                   responses={204: OpenApiResponse(description="Removed")})
    @action(detail=True, methods=["patch", "delete"], url_path=r"members/(?P<username>[\w.@+-]+)",
            permission_classes=[IsAuthenticatedOrReadOnly])
    def member(self, request, slug=None, username=None):
        review = self.get_object()
        require_role(request.user, review, manage=True)
        membership = get_object_or_404(review.memberships, user__username=username)
        with transaction.atomic():
            if request.method == "DELETE":
                membership.delete()
                self._check_an_owner_remains(review)
                return Response(status=status.HTTP_204_NO_CONTENT)
            serializer = MembershipRoleSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            membership.role = serializer.validated_data["role"]
            membership.save()
            self._check_an_owner_remains(review)
        return Response(MembershipSerializer(membership).data)

    @staticmethod
    def _check_an_owner_remains(review):
        """A review without an owner could never change its members again."""
        if not review.memberships.filter(role=Membership.Role.OWNER).exists():
            raise serializers.ValidationError({"role": "A review keeps at least one owner."})


"""The review endpoints: reviews, their flow, evidence matrix and members (the API's roof)."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import (
    CharField,
    OuterRef,
    Prefetch,
    Subquery,
    Value,
)
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.members import change_role, invite, remove_member
from cmocs.models import Provenance
from evidence.screening.flow import screening_flow
from ichub.drf import MAX_TEXT, SLUG_REGEX, TextKeyRelatedField
from ichub.etags import IfMatchUpdateMixin, if_match_schema
from ichub.models import Membership, Review
from ichub.permissions import OWNER, VIEWER, ReviewAccess
from reports.matrix import evidence_matrix


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
        if self.instance is None and Review.objects.filter(slug__iexact=value).exists():
            raise serializers.ValidationError("A review with this slug already exists.")
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
    exclusions = FlowExclusionSerializer(
        many=True, help_text="The first sources excluded here, by citation (at most 25)")
    exclusions_total = serializers.IntegerField(help_text="How many were excluded here")


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
    provenance = serializers.ChoiceField(
        choices=Provenance.choices,
        help_text="reported: the review cites the source for this CMOC; project_reading: "
        "ichub's reading of it (explained on the link)",
    )


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


class MemberInvitationSerializer(serializers.Serializer):
    """Who to invite: a username or an email address (exactly one), and the role offered."""

    username = serializers.CharField(max_length=150, required=False)
    email = serializers.EmailField(max_length=254, required=False)
    role = serializers.ChoiceField(choices=Membership.Role.choices)

    def validate(self, attrs):
        if bool(attrs.get("username")) == bool(attrs.get("email")):
            raise serializers.ValidationError(
                {"username": "Give either a username or an email address."})
        return attrs


class InvitationSerializer(serializers.Serializer):
    invitee = serializers.CharField(read_only=True, help_text="The username or email invited.")
    role = serializers.CharField(read_only=True)
    expires_at = serializers.DateTimeField(read_only=True)


class MembershipRoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Membership.Role.choices)


@extend_schema_view(
    list=extend_schema(summary="Reviews you may read"),
    **if_match_schema("review", ReviewSerializer, summary="One review, by slug"),
)
class ReviewViewSet(IfMatchUpdateMixin, viewsets.ModelViewSet):
    serializer_class = ReviewSerializer
    # Any signed-in user may start a review; only its owners change or delete it. The
    # record holds the title and visibility, the owners-only settings page's fields: an
    # editor curates inside a review but may not rename it or make a private one public.
    permission_classes = [ReviewAccess]
    read_role = None
    write_role = OWNER
    delete_role = OWNER
    lookup_field = "slug"
    lookup_value_regex = SLUG_REGEX
    etag_label = "review"

    def get_queryset(self):
        user = self.request.user
        # Only the tested reviews this reader may see: a slug would confirm a private one.
        tested = Prefetch("tests_theories_of", queryset=Review.objects.visible_to(user))
        queryset = Review.objects.visible_to(user).prefetch_related(tested)
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
    @extend_schema(
        methods=["POST"], summary="Invite a member (owners only)",
        description="Makes an invitation, as the members page does: by email a link is sent; "
        "by username it waits on that account's page. The answer is the same whether or "
        "not the username exists, so it tells nobody who has an account.",
        request=MemberInvitationSerializer, responses={202: InvitationSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None,
            read_role=VIEWER, write_role=OWNER)
    def members(self, request, slug=None):
        review = self.get_object()
        if request.method == "GET":
            memberships = review.memberships.select_related("user").order_by("user__username")
            return Response(MembershipSerializer(memberships, many=True).data)
        serializer = MemberInvitationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            invitation = invite(review=review, invitee=data.get("email") or data["username"],
                                role=data["role"], invited_by=request.user,
                                build_url=request.build_absolute_uri)
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"username": exc.message_dict["invitee"]}) from exc
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(methods=["PATCH"], summary="Change a member's role (owners only)",
                   request=MembershipRoleSerializer, responses=MembershipSerializer)
    @extend_schema(methods=["DELETE"], summary="Remove a member (owners only)",
                   responses={204: OpenApiResponse(description="Removed")})
    @action(detail=True, methods=["patch", "delete"], url_path=r"members/(?P<username>[\w.@+-]+)",
            write_role=OWNER, delete_role=OWNER)
    def member(self, request, slug=None, username=None):
        review = self.get_object()
        membership = get_object_or_404(review.memberships, user__username=username)
        if request.method == "DELETE":
            remove_member(review=review, user_id=membership.user_id)
            return Response(status=status.HTTP_204_NO_CONTENT)
        serializer = MembershipRoleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = change_role(review=review, user_id=membership.user_id,
                                 role=serializer.validated_data["role"])
        return Response(MembershipSerializer(membership).data)


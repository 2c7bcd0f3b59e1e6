"""REST endpoints for team screening and realist appraisal.

/api/screening-decisions/ and /api/appraisals/ are scoped to the reviews the
user may read (decisions are also blinded: see ScreeningDecisionQuerySet.
visible_to); /api/reviews/{slug}/conflicts/ and /agreement/ hang off a review.
Viewers read, editors screen and appraise, owners (or a third reviewer)
resolve. Every write goes through evidence.screening.services.
"""

import django_filters
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from evidence.models import (
    Appraisal,
    ExclusionReason,
    ScreeningDecision,
    ScreeningResolution,
    ScreeningStage,
    SourceDocument,
)
from evidence.screening.agreement import review_agreement
from evidence.screening.queue import review_conflicts
from evidence.screening.services import (
    record_appraisal,
    record_decision,
    resolve_conflict,
)
from ichub.drf import (
    MAX_TEXT,
    BooleanFilter,
    ScopedViewSetMixin,
    VisibleRelatedField,
    VisibleReviewSlugField,
)
from ichub.permissions import EDITOR, get_review_for_user, require_role

# --- screening decisions -----------------------------------------------------------------


class ScreeningDecisionSerializer(serializers.ModelSerializer):
    review = serializers.SlugField(
        required=False, write_only=True,
        help_text="Optional: the review (slug) the source must belong to (refused otherwise).",
    )
    source = VisibleRelatedField(queryset=SourceDocument.objects.all())
    exclusion_reason = VisibleRelatedField(
        queryset=ExclusionReason.objects.all(), required=False, allow_null=True
    )
    exclusion_reason_label = serializers.CharField(
        source="exclusion_reason.label", read_only=True, default=""
    )
    reviewer = serializers.CharField(source="reviewer.username", read_only=True)
    superseded_by = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = ScreeningDecision
        fields = [
            "id", "review", "source", "stage", "decision", "exclusion_reason",
            "exclusion_reason_label", "note", "reviewer", "is_current", "supersedes",
            "superseded_by", "decided_at",
        ]
        read_only_fields = ["is_current", "supersedes", "decided_at"]
        extra_kwargs = {"note": {"max_length": MAX_TEXT}}

    def validate_review(self, value):
        field = VisibleReviewSlugField()
        field.bind("review", self)
        return field.to_internal_value(value)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["review"] = instance.source.review.slug
        return data


class ScreeningDecisionFilter(django_filters.FilterSet):
    review = django_filters.CharFilter(field_name="source__review__slug", help_text="Review slug")
    reviewer = django_filters.CharFilter(field_name="reviewer__username")
    stage = django_filters.ChoiceFilter(choices=ScreeningStage.choices)
    decision = django_filters.ChoiceFilter(choices=ScreeningDecision.Decision.choices)
    is_current = BooleanFilter()

    class Meta:
        model = ScreeningDecision
        fields = ["review", "source", "stage", "decision", "reviewer", "is_current"]


class ScreeningDecisionViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Decisions, blinded. POST again on the same source and stage to revise yours."""

    serializer_class = ScreeningDecisionSerializer
    filterset_class = ScreeningDecisionFilter
    review_path = "source__review"

    def get_queryset(self):
        queryset = ScreeningDecision.objects.select_related(
            "source__review", "reviewer", "exclusion_reason", "superseded_by"
        ).order_by("source_id", "stage", "decided_at", "id")
        return self.scope(queryset).visible_to(self.request.user)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        require_role(request.user, data["source"].review, self.write_role)
        decision = record_decision(
            user=request.user,
            source=data["source"],
            stage=data["stage"],
            decision=data["decision"],
            exclusion_reason=data.get("exclusion_reason"),
            note=data.get("note", ""),
            review=data.get("review"),
        )
        return Response(self.get_serializer(decision).data, status=status.HTTP_201_CREATED)


# --- exclusion reasons ----------------------------------------------------------------


class ExclusionReasonSerializer(serializers.ModelSerializer):
    review = serializers.CharField(source="review.slug", read_only=True)

    class Meta:
        model = ExclusionReason
        fields = ["id", "review", "label", "order"]


class ExclusionReasonFilter(django_filters.FilterSet):
    review = django_filters.CharFilter(field_name="review__slug", help_text="Review slug")

    class Meta:
        model = ExclusionReason
        fields = ["review"]


class ExclusionReasonViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """A review's exclusion reasons, whose ids a decision to exclude names.

    Owners edit the list on the screening settings page.
    """

    serializer_class = ExclusionReasonSerializer
    filterset_class = ExclusionReasonFilter

    def get_queryset(self):
        return self.scope(
            ExclusionReason.objects.select_related("review").order_by("review_id", "order", "id")
        )


# --- appraisals ------------------------------------------------------------------------


class AppraisalSerializer(serializers.ModelSerializer):
    source = VisibleRelatedField(queryset=SourceDocument.objects.all())
    excerpt = VisibleRelatedField(
        queryset=Appraisal._meta.get_field("excerpt").related_model.objects.all(),
        review_path="source__review", required=False, allow_null=True,
    )
    reviewer = serializers.CharField(source="reviewer.username", read_only=True, default=None,
                                     allow_null=True)

    class Meta:
        model = Appraisal
        fields = [
            "id", "source", "excerpt", "criterion", "judgement", "note", "reviewer",
            "reviewer_label", "created_at",
        ]
        read_only_fields = ["reviewer_label", "created_at"]
        extra_kwargs = {"note": {"max_length": MAX_TEXT}}

    def validate(self, attrs):
        if self.instance is not None:
            for field in ("source", "excerpt", "criterion"):
                if field in attrs and attrs[field] != getattr(self.instance, field):
                    raise serializers.ValidationError(
                        {field: "Rate another source or criterion with a new appraisal."}
                    )
        return attrs


class AppraisalFilter(django_filters.FilterSet):
    review = django_filters.CharFilter(field_name="source__review__slug", help_text="Review slug")
    reviewer = django_filters.CharFilter(field_name="reviewer__username")
    criterion = django_filters.ChoiceFilter(choices=Appraisal.Criterion.choices)
    judgement = django_filters.ChoiceFilter(choices=Appraisal.Judgement.choices)
    whole_source = BooleanFilter(
        field_name="excerpt", lookup_expr="isnull", help_text="true: ratings of whole sources"
    )

    class Meta:
        model = Appraisal
        fields = ["review", "source", "excerpt", "criterion", "judgement", "reviewer"]


class AppraisalViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """Relevance, richness and rigour ratings, of whole sources or of single excerpts.

    POST rates (again, if you already rated it: the rating is updated and the
    old one kept in its history). Only the rater edits a rating; the rater or an
    owner deletes it (`Appraisal.editable_by` / `deletable_by` say why).
    """

    serializer_class = AppraisalSerializer
    filterset_class = AppraisalFilter
    review_path = "source__review"

    def get_queryset(self):
        return self.scope(
            Appraisal.objects.select_related("source__review", "reviewer", "excerpt").order_by(
                "source_id", "criterion", "id"
            )
        )

    def _save(self, data, instance=None):
        appraisal = record_appraisal(
            user=self.request.user,
            source=instance.source if instance else data["source"],
            excerpt=instance.excerpt if instance else data.get("excerpt"),
            criterion=instance.criterion if instance else data["criterion"],
            judgement=data.get("judgement", instance.judgement if instance else None),
            note=data.get("note", instance.note if instance else ""),
        )
        return self.get_serializer(appraisal).data

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        require_role(request.user, serializer.validated_data["source"].review, self.write_role)
        return Response(self._save(serializer.validated_data), status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        instance = self.get_object()
        if not instance.editable_by(request.user):
            raise PermissionDenied("Rate it yourself with a new appraisal; this one is not yours.")
        serializer = self.get_serializer(
            instance, data=request.data, partial=kwargs.get("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        return Response(self._save(serializer.validated_data, instance))

    def perform_destroy(self, instance):
        if not instance.deletable_by(self.request.user):
            raise PermissionDenied("Only the reviewer who rated this, or an owner, may delete it.")
        super().perform_destroy(instance)


# --- conflicts and agreement -------------------------------------------------------------


class ConflictDecisionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reviewer = serializers.CharField(source="reviewer.username")
    decision = serializers.CharField()
    exclusion_reason = serializers.CharField(source="exclusion_reason.label", default="")
    note = serializers.CharField()
    decided_at = serializers.DateTimeField()


class ResolutionSerializer(serializers.ModelSerializer):
    resolved_by = serializers.CharField(source="resolved_by.username", read_only=True)
    exclusion_reason_label = serializers.CharField(
        source="exclusion_reason.label", read_only=True, default=""
    )

    class Meta:
        model = ScreeningResolution
        fields = [
            "id", "source", "stage", "decision", "exclusion_reason", "exclusion_reason_label",
            "note", "resolved_by", "resolved_at",
        ]


class ConflictSerializer(serializers.Serializer):
    source = serializers.IntegerField(source="source.pk")
    citation_key = serializers.CharField(source="source.citation_key")
    citation = serializers.CharField(source="source.short_citation")
    title = serializers.CharField(source="source.title")
    stage = serializers.CharField()
    state = serializers.CharField()
    decisions = ConflictDecisionSerializer(many=True)
    resolution = ResolutionSerializer(allow_null=True)
    can_resolve = serializers.SerializerMethodField()

    def get_can_resolve(self, status) -> bool:
        return status.can_resolve  # set by review_conflicts(user=...)


class ConflictListSerializer(serializers.Serializer):
    review = serializers.CharField()
    count = serializers.IntegerField(help_text="Conflicts over all pages")
    next = serializers.URLField(allow_null=True, help_text="The next page, if any")
    conflicts = ConflictSerializer(many=True)


class AgreementPairSerializer(serializers.Serializer):
    reviewers = serializers.ListField(child=serializers.CharField())
    n = serializers.IntegerField()
    agreed = serializers.IntegerField()
    raw_agreement = serializers.FloatField()
    kappa = serializers.FloatField(allow_null=True)


class AgreementStageSerializer(serializers.Serializer):
    stage = serializers.CharField()
    label = serializers.CharField()
    n = serializers.IntegerField()
    raw_agreement = serializers.FloatField(allow_null=True)
    kappa = serializers.FloatField(allow_null=True, help_text="Mean of the pairwise kappas")
    pairs = AgreementPairSerializer(many=True)


class AgreementSerializer(serializers.Serializer):
    review = serializers.CharField()
    stages = AgreementStageSerializer(many=True)


class ResolveSerializer(serializers.Serializer):
    source = serializers.IntegerField()
    stage = serializers.ChoiceField(choices=ScreeningStage.choices)
    decision = serializers.ChoiceField(choices=ScreeningResolution.Decision.choices)
    exclusion_reason = serializers.IntegerField(required=False, allow_null=True)
    note = serializers.CharField(max_length=MAX_TEXT)

    def validate_source(self, value):
        source = SourceDocument.objects.filter(pk=value, review=self.context["review"]).first()
        if source is None:
            raise serializers.ValidationError("No such source in this review.")
        return source

    def validate_exclusion_reason(self, value):
        if value is None:
            return None
        reason = ExclusionReason.objects.filter(pk=value, review=self.context["review"]).first()
        if reason is None:
            raise serializers.ValidationError("Not one of this review's exclusion reasons.")
        return reason


CONFLICTS_DEFAULT, CONFLICTS_MAX = 100, 500


def _bounded_int(request, name, default, low, high):
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise serializers.ValidationError({name: f"Must be a whole number from {low} to {high}."})
    return int(raw)


class ConflictsView(APIView):
    """A review's screening conflicts; POST resolves one (owners, or a third reviewer)."""

    @extend_schema(
        summary="Screening conflicts of a review",
        parameters=[
            OpenApiParameter("stage", enum=ScreeningStage.values, description="Only this stage"),
            OpenApiParameter("resolved", bool, description="true: also list resolved ones"),
            OpenApiParameter("limit", int, description=f"Conflicts a page (1-{CONFLICTS_MAX}, "
                             f"default {CONFLICTS_DEFAULT})"),
            OpenApiParameter("offset", int, description="Conflicts to skip (default 0)"),
        ],
        responses=ConflictListSerializer,
    )
    def get(self, request, slug):
        review = get_review_for_user(request.user, slug)
        stage = request.query_params.get("stage") or None
        if stage is not None and stage not in ScreeningStage.values:
            raise serializers.ValidationError(
                {"stage": f"Must be one of: {', '.join(ScreeningStage.values)}."}
            )
        include_resolved = request.query_params.get("resolved") in ("true", "1")
        limit = _bounded_int(request, "limit", CONFLICTS_DEFAULT, 1, CONFLICTS_MAX)
        offset = _bounded_int(request, "offset", 0, 0, 10**9)
        conflicts = review_conflicts(review, stage=stage, include_resolved=include_resolved,
                                     limit=limit, offset=offset, user=request.user)
        more = offset + limit < conflicts.total
        context = {"request": request}
        return Response(
            {"review": review.slug, "count": conflicts.total,
             "next": replace_query_param(request.build_absolute_uri(), "offset", offset + limit)
             if more else None,
             "conflicts": ConflictSerializer(conflicts, many=True, context=context).data}
        )

    @extend_schema(summary="Resolve a conflict, with a note", request=ResolveSerializer,
                   responses=ResolutionSerializer)
    def post(self, request, slug):
        review = get_review_for_user(request.user, slug, role=EDITOR)
        serializer = ResolveSerializer(data=request.data, context={"review": review})
        serializer.is_valid(raise_exception=True)
        resolution = resolve_conflict(user=request.user, review=review, **serializer.validated_data)
        return Response(ResolutionSerializer(resolution).data, status=status.HTTP_201_CREATED)


class AgreementView(APIView):
    """Cohen's kappa and raw agreement, per screening stage and per reviewer pair."""

    @extend_schema(summary="Inter-reviewer agreement of a review's screening",
                   responses=AgreementSerializer)
    def get(self, request, slug):
        review = get_review_for_user(request.user, slug)
        return Response({"review": review.slug, "stages": review_agreement(review)})

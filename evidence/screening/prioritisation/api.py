"""REST endpoints for prioritisation: a review's setting, its history, and the ranking log.

- GET /api/reviews/{slug}/prioritisation/: the setting, with an ETag (members).
- PUT/PATCH the same: owners only (as the settings page), with If-Match: 428
  without it, 412 if someone changed the setting since the client read it.
- GET /api/reviews/{slug}/prioritisation/history/: every change, newest first.
- GET /api/reviews/{slug}/rankings/ and /rankings/{id}/: the log of rankings
  (model, settings, seed, what each learnt from, when). As blind as the queue:
  owners see every reviewer's rankings, other members only their own.
- POST /api/reviews/{slug}/rankings/retrain/: a screener (owner or
  editor) asks for a new ranking of their own queue, as the ranking log's
  button does; 400 while prioritisation is off.
"""

from django.core.exceptions import ValidationError
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from evidence.models import PrioritisationSettings, Ranking
from ichub.etags import (
    ERROR_400,
    IF_MATCH_PARAMETER,
    PreconditionFailed,
    etag_response_header,
    expected_version,
    precondition_responses,
)
from ichub.permissions import EDITOR, OWNER, VIEWER, get_review_for_user, has_role
from ichub.versioning import StaleVersion

from .services import configure_prioritisation, schedule_retrain

ETAG_LABEL = "prioritisation"


class PrioritisationSerializer(serializers.ModelSerializer):
    review = serializers.CharField(source="review.slug", read_only=True)
    updated_by = serializers.CharField(source="updated_by.username", read_only=True,
                                       default=None, allow_null=True)
    exploration_percent = serializers.IntegerField(
        min_value=0, max_value=50,
        help_text="Share of the queue (0-50%) offered by the exploration rule instead.")

    class Meta:
        model = PrioritisationSettings
        fields = ["review", "enabled", "exploration_percent", "exploration_mode", "version",
                  "updated_by"]
        read_only_fields = ["version"]


class PrioritisationChangeSerializer(serializers.ModelSerializer):
    changed_at = serializers.DateTimeField(source="history_date", read_only=True)
    changed_by = serializers.CharField(source="history_user.username", read_only=True,
                                       default=None, allow_null=True)

    class Meta:
        model = PrioritisationSettings.history.model
        fields = ["changed_at", "changed_by", "version", "enabled", "exploration_percent",
                  "exploration_mode"]


class RankingSerializer(serializers.ModelSerializer):
    reviewer = serializers.CharField(source="reviewer.username", read_only=True)
    trained_on = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField(), min_length=2,
                                    max_length=2),
        help_text="[source id, 1 include / 0 exclude] pairs the model learnt from.")
    settings = serializers.DictField(help_text="The engine settings (engine.Settings).")

    class Meta:
        model = Ranking
        fields = ["id", "reviewer", "status", "model", "settings", "seed", "trained_on",
                  "n_included", "n_excluded", "likely_relevant_unseen", "requested_at",
                  "trained_at", "first_served_at", "seconds", "error"]


class RankingDetailSerializer(RankingSerializer):
    order = serializers.ListField(child=serializers.IntegerField(),
                                  help_text="Source ids, first offered first.")
    reasons = serializers.DictField(
        child=serializers.ListField(child=serializers.ListField()),
        help_text="For the top of the order: source id -> [[term, weight], ...].")

    class Meta(RankingSerializer.Meta):
        fields = [*RankingSerializer.Meta.fields, "order", "reasons"]


def _etagged(response, settings):
    response["ETag"] = f'"{ETAG_LABEL}-{settings.review_id}-v{settings.version}"'
    return response


class PrioritisationView(APIView):
    """A review's prioritisation setting (off until an owner turns it on)."""

    permission_classes = [IsAuthenticated]

    def _settings(self, role):
        review = get_review_for_user(self.request.user, self.kwargs["slug"], role=role)
        return PrioritisationSettings.for_review(review)

    @extend_schema(responses={200: PrioritisationSerializer},
                   parameters=[etag_response_header(ETAG_LABEL)])
    def get(self, request, slug):
        settings = self._settings(VIEWER)
        return _etagged(Response(PrioritisationSerializer(settings).data), settings)

    @extend_schema(request=PrioritisationSerializer,
                   responses={200: PrioritisationSerializer, 400: ERROR_400,
                              **precondition_responses()},
                   parameters=[IF_MATCH_PARAMETER, etag_response_header(ETAG_LABEL)])
    def put(self, request, slug):
        return self._change(partial=False)

    @extend_schema(request=PrioritisationSerializer,
                   responses={200: PrioritisationSerializer, 400: ERROR_400,
                              **precondition_responses()},
                   parameters=[IF_MATCH_PARAMETER, etag_response_header(ETAG_LABEL)])
    def patch(self, request, slug):
        return self._change(partial=True)

    def _change(self, *, partial):
        current = self._settings(OWNER)
        version = expected_version(self.request, label=ETAG_LABEL, record=_Versioned(current))
        serializer = PrioritisationSerializer(current, data=self.request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        values = {name: serializer.validated_data.get(name, getattr(current, name))
                  for name in ("enabled", "exploration_percent", "exploration_mode")}
        try:
            settings = configure_prioritisation(review=current.review, user=self.request.user,
                                                expected_version=version, **values)
        except StaleVersion as exc:
            raise PreconditionFailed(exc.current_version) from exc
        except ValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        return _etagged(Response(PrioritisationSerializer(settings).data), settings)


class _Versioned:
    """What etags.expected_version reads. The ETag names the review, not the settings row:
    a review that never set prioritisation has no row yet, only version 0."""

    def __init__(self, settings):
        self.pk, self.version = settings.review_id, settings.version


class PrioritisationHistoryView(ListAPIView):
    """Every change of a review's prioritisation setting, newest first (members)."""

    serializer_class = PrioritisationChangeSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no slug
            return PrioritisationSettings.history.none()
        review = get_review_for_user(self.request.user, self.kwargs["slug"], role=VIEWER)
        return (PrioritisationSettings.history.filter(review_id=review.pk)
                .select_related("history_user").order_by("-history_date", "-history_id"))


def _rankings_for_user(user, slug):
    """Owners see every reviewer's rankings (they see every decision anyway); other
    members only their own, so the log stays as blind as the queue."""
    review = get_review_for_user(user, slug, role=VIEWER)
    rankings = Ranking.objects.filter(review=review).select_related("reviewer")
    return rankings if has_role(user, review, OWNER) else rankings.filter(reviewer=user)


class RankingListView(ListAPIView):
    """The ranking log of a review, newest first (see the module docstring for who sees what)."""

    serializer_class = RankingSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Ranking.objects.none()
        return (_rankings_for_user(self.request.user, self.kwargs["slug"])
                .defer("order", "reasons").order_by("-requested_at", "-id"))


class RankingDetailView(RetrieveAPIView):
    """One ranking with the order it served and the reasons for its top records."""

    serializer_class = RankingDetailSerializer
    permission_classes = [IsAuthenticated]

    def get_object(self):
        ranking = _rankings_for_user(self.request.user, self.kwargs["slug"]).filter(
            pk=self.kwargs["pk"]).first()
        if ranking is None:
            raise Http404("No such ranking in this review's log for you.")
        return ranking


class RankingRetrainView(APIView):
    """Ask for a new ranking of your own title/abstract queue (owners and editors).

    Answers 202 with the requested ranking (status "training"); the
    background task trains it, unless the last ready ranking still holds for
    the decisions made since (then the request row is dropped and that one
    keeps being served). 400 when prioritisation is off for the review.
    """

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={202: RankingSerializer, 400: ERROR_400})
    def post(self, request, slug):
        review = get_review_for_user(request.user, slug, role=EDITOR)
        ranking = schedule_retrain(review=review, reviewer=request.user)
        if ranking is None:
            raise serializers.ValidationError(
                {"detail": "Prioritisation is off for this review: there is no ranking to "
                           "retrain."})
        return Response(RankingSerializer(ranking).data, status=202)

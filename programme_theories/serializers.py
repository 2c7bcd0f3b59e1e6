"""JSON for programme theories: a summary in lists, the whole theory with CMOCs in detail."""

from rest_framework import serializers

from cmocs.models import CMOC
from cmocs.serializers import CMOCSerializer
from ichub.drf import MAX_TEXT, VisibleRelatedField, VisibleReviewSlugField, refuse_reparenting
from programme_theories.models import ProgrammeTheory, Theme


class CMOCSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = CMOC
        fields = ["id", "code", "stage", "status"]
        read_only_fields = fields


class ProgrammeTheorySerializer(serializers.ModelSerializer):
    review = VisibleReviewSlugField()
    name = serializers.CharField(max_length=300)
    statement = serializers.CharField(max_length=MAX_TEXT)
    notes = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True)
    theme = VisibleRelatedField(queryset=Theme.objects.all(), review_path="framework__review",
                                required=False, allow_null=True)
    theme_name = serializers.CharField(source="theme.name", read_only=True, default=None,
                                       allow_null=True)
    revises = VisibleRelatedField(queryset=ProgrammeTheory.objects.all(), required=False,
                                  allow_null=True)
    cmocs = CMOCSummarySerializer(many=True, read_only=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True,
                                              allow_null=True)
    updated_by = serializers.SlugRelatedField(slug_field="username", read_only=True,
                                              allow_null=True)

    class Meta:
        model = ProgrammeTheory
        fields = [
            "id", "review", "name", "stage", "theme", "theme_name", "statement", "revises",
            "notes", "version", "cmocs", "created_by", "updated_by", "created_at", "updated_at",
        ]
        read_only_fields = ["version"]
        validators = []

    def validate(self, attrs):
        refuse_reparenting(
            self.instance, attrs, "review", "A theory cannot move to another review."
        )
        if self.instance is not None:
            attrs.pop("review", None)
        return attrs


class ProgrammeTheoryDetailSerializer(ProgrammeTheorySerializer):
    """The whole theory: each CMOC with its elements and its evidence, cited."""

    cmocs = CMOCSerializer(many=True, read_only=True)

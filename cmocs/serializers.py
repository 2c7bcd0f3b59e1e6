"""JSON for CMOCs, their elements, evidence links and lineage, and the lineage operations."""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers

from cmocs.models import CMOC, Context, EvidenceLink, LineageEvent, Mechanism, Outcome
from cmocs.slots import BY_NAME, KEY_PREFIXES
from evidence.models import Excerpt
from evidence.serializers import ExcerptBriefSerializer
from ichub.drf import (
    MAX_TEXT,
    VisibleRelatedField,
    VisibleReviewSlugField,
    full_clean,
    refuse_reparenting,
)
from ichub.keys import new_key
from ichub.permissions import scope_to_visible
from programme_theories.models import ProgrammeTheory


class ElementRefField(serializers.Field):
    """A CMOC's element slot: `{id, text}` out; in, an existing element's id or new text.

    New text becomes a new element of the CMOC's review (the services create
    it), so a client can refine a CMOC without first creating its parts.
    """

    default_error_messages = {
        "does_not_exist": "No {slot} with id {pk} that you can see.",
        "incorrect_type": "Give the id of an existing {slot} (integer) or the text of a new one.",
        "blank": "The text of a new {slot} may not be blank.",
        "max_length": "Keep the text under {max_length} characters.",
        "null_characters": "Null characters are not allowed.",
    }

    def __init__(self, slot, **kwargs):
        self.slot = slot
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return {"id": value.pk, "text": value.text}

    def to_internal_value(self, data):
        model = BY_NAME[self.slot].model
        label = self.slot.replace("_", " ")
        if isinstance(data, bool):
            self.fail("incorrect_type", slot=label)
        if isinstance(data, int):
            request = self.context.get("request")
            queryset = scope_to_visible(model.objects.all(), request.user) if request else None
            element = queryset.filter(pk=data).first() if queryset is not None else None
            if element is None:
                self.fail("does_not_exist", slot=label, pk=data)
            return element
        if isinstance(data, str):
            if "\x00" in data:
                self.fail("null_characters")
            if not data.strip():
                self.fail("blank", slot=label)
            if len(data) > MAX_TEXT:
                self.fail("max_length", max_length=MAX_TEXT)
            return data.strip()
        self.fail("incorrect_type", slot=label)


class ElementRefFieldSchema(OpenApiSerializerFieldExtension):
    """Tell the schema the truth: an object out, an id or text in."""

    target_class = ElementRefField

    def map_serializer_field(self, auto_schema, direction):
        if direction == "response":
            return {
                "type": "object",
                "nullable": True,
                "properties": {"id": {"type": "integer"}, "text": {"type": "string"}},
                "required": ["id", "text"],
            }
        return {
            "nullable": True,
            "oneOf": [
                {"type": "integer", "description": "An existing element's id"},
                {"type": "string", "minLength": 1, "maxLength": MAX_TEXT,
                 "description": "Text for a new element"},
            ],
        }


class CMOCEvidenceSerializer(serializers.ModelSerializer):
    """One evidence link as nested in a CMOC: the excerpt, its location and its source."""

    excerpt = ExcerptBriefSerializer(read_only=True)

    class Meta:
        model = EvidenceLink
        fields = ["id", "element", "stance", "provenance", "reading", "note", "excerpt"]
        read_only_fields = fields


class CMOCFieldsSerializer(serializers.Serializer):
    """The editable content of a CMOC, shared by create, edit and the lineage operations."""

    code = serializers.CharField(max_length=50)
    statement = serializers.CharField(max_length=MAX_TEXT)
    theory = VisibleRelatedField(queryset=ProgrammeTheory.objects.all(), required=False,
                                 allow_null=True)
    context = ElementRefField("context")
    mechanism_resource = ElementRefField("mechanism_resource")
    mechanism_reasoning = ElementRefField("mechanism_reasoning")
    outcome = ElementRefField("outcome")
    notes = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True)


class NewCMOCSerializer(CMOCFieldsSerializer):
    stage = serializers.ChoiceField(choices=CMOC.Stage.choices, default=CMOC.Stage.REFINED)


class CMOCSerializer(serializers.ModelSerializer):
    review = VisibleReviewSlugField()
    stage = serializers.ChoiceField(choices=CMOC.Stage.choices, default=CMOC.Stage.INITIAL)
    code = serializers.CharField(max_length=50)
    statement = serializers.CharField(max_length=MAX_TEXT)
    theory = VisibleRelatedField(queryset=ProgrammeTheory.objects.all(), required=False,
                                 allow_null=True)
    context = ElementRefField("context")
    mechanism_resource = ElementRefField("mechanism_resource")
    mechanism_reasoning = ElementRefField("mechanism_reasoning")
    outcome = ElementRefField("outcome")
    notes = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True)
    evidence = CMOCEvidenceSerializer(source="evidence_links", many=True, read_only=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True,
                                              allow_null=True)
    updated_by = serializers.SlugRelatedField(slug_field="username", read_only=True,
                                              allow_null=True)

    class Meta:
        model = CMOC
        fields = [
            "id", "review", "code", "stage", "status", "theory", "theory_provenance",
            "theory_reading", "statement", "context", "mechanism_resource",
            "mechanism_reasoning", "outcome", "notes", "evidence", "version", "created_by",
            "updated_by", "created_at", "updated_at",
        ]
        # Whether the theory is the review's or ichub's reading is curated in the admin
        # and the fixtures; the API shows it so clients can tell the two apart.
        read_only_fields = ["status", "version", "theory_provenance", "theory_reading"]
        validators = []

    def validate(self, attrs):
        if self.instance is not None:
            for name in ("review", "stage"):
                refuse_reparenting(self.instance, attrs, name,
                                   f"A CMOC's {name} cannot change; refine it instead.")
                attrs.pop(name, None)
        return attrs


class CMOCNodeSerializer(serializers.ModelSerializer):
    """A CMOC as a node of a lineage graph: its content without its evidence."""

    context = ElementRefField("context", read_only=True)
    mechanism_resource = ElementRefField("mechanism_resource", read_only=True)
    mechanism_reasoning = ElementRefField("mechanism_reasoning", read_only=True)
    outcome = ElementRefField("outcome", read_only=True)

    class Meta:
        model = CMOC
        fields = [
            "id", "code", "stage", "status", "theory", "theory_provenance", "statement",
            "context", "mechanism_resource", "mechanism_reasoning", "outcome", "version",
        ]
        read_only_fields = fields


class LineageEventSerializer(serializers.ModelSerializer):
    inputs = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    outputs = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    decided_by = serializers.CharField(source="decider", read_only=True)
    evidence = ExcerptBriefSerializer(many=True, read_only=True)

    class Meta:
        model = LineageEvent
        fields = [
            "id", "key", "kind", "inputs", "outputs", "rationale", "phase", "certainty",
            "decided_by", "decided_on", "evidence",
        ]
        read_only_fields = fields


class LineageGraphSerializer(serializers.Serializer):
    root = serializers.IntegerField(source="root.pk")
    ancestors = serializers.SerializerMethodField()
    descendants = serializers.SerializerMethodField()
    nodes = CMOCNodeSerializer(many=True)
    events = LineageEventSerializer(many=True)

    def get_ancestors(self, graph) -> list[int]:
        return sorted(graph.ancestor_ids())

    def get_descendants(self, graph) -> list[int]:
        return sorted(graph.descendant_ids())


class OperationResultSerializer(serializers.Serializer):
    """What a lineage operation made: the event and the new CMOC(s)."""

    event = LineageEventSerializer()
    outputs = CMOCSerializer(many=True)


class _OperationSerializer(serializers.Serializer):
    rationale = serializers.CharField(max_length=MAX_TEXT)
    phase = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    decided_on = serializers.DateField(required=False, allow_null=True, default=None)
    evidence = VisibleRelatedField(
        queryset=Excerpt.objects.all(), review_path="source__review", many=True, required=False,
        default=list,
    )


def carry_field():
    """The inputs' evidence links a new CMOC takes; left out, it takes them all."""
    return VisibleRelatedField(
        queryset=EvidenceLink.objects.all(), review_path="cmoc__review", many=True,
        required=False, help_text="Ids of the inputs' evidence links to copy to the new "
        "CMOC. Left out: all of them. The closed CMOCs keep theirs.",
    )


class RefineSerializer(_OperationSerializer, NewCMOCSerializer):
    carry = carry_field()


class MergeSerializer(_OperationSerializer, NewCMOCSerializer):
    inputs = VisibleRelatedField(queryset=CMOC.objects.all(), many=True)
    carry = carry_field()


class SplitOutputSerializer(NewCMOCSerializer):
    carry = carry_field()


class SplitSerializer(_OperationSerializer):
    outputs = SplitOutputSerializer(many=True)


class DropSerializer(_OperationSerializer):
    pass


class ContextSerializer(serializers.ModelSerializer):
    review = VisibleReviewSlugField()
    key = serializers.SlugField(max_length=100, required=False)
    text = serializers.CharField(max_length=MAX_TEXT)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True,
                                              allow_null=True)

    class Meta:
        model = Context
        fields = ["id", "review", "key", "text", "created_by", "created_at"]
        validators = []

    def validate(self, attrs):
        refuse_reparenting(
            self.instance, attrs, "review", "An element cannot move to another review."
        )
        element = self.instance or self.Meta.model()
        for name, value in attrs.items():
            setattr(element, name, value)
        if not element.key:
            element.key = attrs["key"] = new_key(KEY_PREFIXES[self.Meta.model])
        full_clean(element)
        return attrs


class MechanismSerializer(ContextSerializer):
    kind = serializers.ChoiceField(choices=Mechanism.Kind.choices)

    class Meta(ContextSerializer.Meta):
        model = Mechanism
        fields = ["id", "review", "key", "kind", "text", "created_by", "created_at"]

    def validate_kind(self, value):
        if self.instance is not None and value != self.instance.kind and (
            self.instance.cmocs_as_resource.exists() or self.instance.cmocs_as_reasoning.exists()
        ):
            raise serializers.ValidationError(
                "CMOCs use this mechanism in its slot; its kind cannot change."
            )
        return value


class OutcomeSerializer(ContextSerializer):
    class Meta(ContextSerializer.Meta):
        model = Outcome


class EvidenceLinkSerializer(serializers.ModelSerializer):
    cmoc = VisibleRelatedField(queryset=CMOC.objects.all())
    excerpt = VisibleRelatedField(queryset=Excerpt.objects.all(), review_path="source__review")
    source = serializers.IntegerField(source="excerpt.source_id", read_only=True)
    note = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True)
    reading = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True,
                                              allow_null=True)

    class Meta:
        model = EvidenceLink
        fields = ["id", "cmoc", "excerpt", "source", "element", "stance", "provenance",
                  "reading", "note", "created_by", "created_at"]
        validators = []

    def validate(self, attrs):
        if self.instance is not None:
            for name in ("cmoc", "excerpt"):
                refuse_reparenting(self.instance, attrs, name,
                                   "Delete this link and make a new one instead.")
            link = self.instance
            for name, value in attrs.items():
                setattr(link, name, value)
            full_clean(link)
        return attrs

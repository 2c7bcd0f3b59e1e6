"""Browser forms for CMOCs: they validate input; `cmocs.services` does every write."""

from types import SimpleNamespace

from django import forms

from cmocs.models import CMOC, EvidenceLink
from cmocs.slots import BY_NAME, LABELS
from evidence.models import Excerpt
from programme_theories.models import ProgrammeTheory


class ElementChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.text if len(obj.text) <= 120 else obj.text[:117] + "…"


class CMOCFieldsForm(forms.Form):
    """A CMOC's own fields, each element chosen from the review's or typed anew.

    Each mechanism slot only lists mechanisms of its kind, so a reasoning
    mechanism cannot be put in the resource slot (the model refuses it too).
    """

    LEAD_FIELDS = ("inputs", "code", "stage", "statement", "theory")

    code = forms.CharField(max_length=50, help_text="e.g. CMOC 7 — unique within its stage")
    statement = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}))
    theory = forms.ModelChoiceField(queryset=ProgrammeTheory.objects.none(), required=False,
                                    label="Programme theory")

    def __init__(self, *args, review, **kwargs):
        super().__init__(*args, **kwargs)
        self.review = review
        self.fields["theory"].queryset = ProgrammeTheory.objects.for_review(review).only(
            "id", "name", "stage"
        )
        for slot, label in LABELS.items():
            self.fields[slot] = ElementChoiceField(
                queryset=_element_queryset(review, slot), required=False,
                label=f"{label}: choose an existing one", empty_label="— none —",
            )
            self.fields[f"{slot}_new"] = forms.CharField(
                required=False, label=f"{label}: or write a new one",
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        self.fields["notes"] = forms.CharField(
            required=False, widget=forms.Textarea(attrs={"rows": 2}),
            help_text="Caveats, e.g. what the sources leave out",
        )
        for name in ("rationale", "phase"):  # the decision comes last, after the new CMOC
            if name in self.fields:
                self.fields[name] = self.fields.pop(name)

    def clean(self):
        cleaned = super().clean()
        for slot in LABELS:
            if cleaned.get(slot) and (cleaned.get(f"{slot}_new") or "").strip():
                self.add_error(f"{slot}_new", "Choose an existing element or write a new one, "
                                              "not both.")
        return cleaned

    def element_groups(self):
        """Each element's two inputs (choose / write), for one fieldset per element."""
        return [
            {"slot": slot, "label": label, "choose": self[slot], "new": self[f"{slot}_new"]}
            for slot, label in LABELS.items()
        ]

    def fields_before_elements(self):
        return [f for f in self.visible_fields() if f.name in self.LEAD_FIELDS]

    def fields_after_elements(self):
        element_inputs = {*LABELS, *(f"{slot}_new" for slot in LABELS)}
        return [f for f in self.visible_fields()
                if f.name not in self.LEAD_FIELDS and f.name not in element_inputs]

    def cmoc_fields(self):
        """Keyword arguments for the services: new text becomes a new element there."""
        data = self.cleaned_data
        fields = {name: data[name] for name in ("code", "statement", "theory", "notes")}
        for slot in LABELS:
            fields[slot] = (data.get(f"{slot}_new") or "").strip() or data.get(slot)
        return fields

    def preview(self):
        """An unsaved stand-in for the CMOC these fields describe, for the confirm step."""
        fields = self.cmoc_fields()
        for slot in LABELS:
            if isinstance(fields[slot], str):
                fields[slot] = SimpleNamespace(text=fields[slot])
        return SimpleNamespace(stage=self.cleaned_data.get("stage", ""), **fields)


def _element_queryset(review, slot):
    return BY_NAME[slot].elements(review).only("id", "text")


def initial_from(cmoc):
    return {
        "code": cmoc.code, "statement": cmoc.statement, "theory": cmoc.theory_id,
        "notes": cmoc.notes, **{slot: getattr(cmoc, f"{slot}_id") for slot in LABELS},
    }


class CMOCCreateForm(CMOCFieldsForm):
    stage = forms.ChoiceField(choices=CMOC.Stage.choices, initial=CMOC.Stage.INITIAL)
    field_order = ["code", "stage", "statement", "theory"]


class CMOCEditForm(CMOCFieldsForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class DecisionMixin(forms.Form):
    """What every lineage decision records: why, and in which phase."""

    rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Why: this is kept in the CMOC's lineage.",
        error_messages={"required": "Say why: a rationale is required."},
    )
    phase = forms.CharField(max_length=100, required=False,
                            help_text="e.g. Phase 2: theory refinement")


class RefineForm(DecisionMixin, CMOCFieldsForm):
    """The refined CMOC's fields (prefilled from the original) and the decision."""

    stage = forms.ChoiceField(choices=CMOC.Stage.choices, initial=CMOC.Stage.REFINED,
                              label="Stage of the new CMOC")
    field_order = ["code", "stage", "statement", "theory"]


class MergeForm(DecisionMixin, CMOCFieldsForm):
    inputs = forms.ModelMultipleChoiceField(
        queryset=CMOC.objects.none(), widget=forms.CheckboxSelectMultiple,
        label="CMOCs to merge (two or more)",
    )
    stage = forms.ChoiceField(choices=CMOC.Stage.choices, initial=CMOC.Stage.REFINED,
                              label="Stage of the merged CMOC")
    field_order = ["inputs", "code", "stage", "statement", "theory"]

    def __init__(self, *args, review, **kwargs):
        super().__init__(*args, review=review, **kwargs)
        self.fields["inputs"].queryset = CMOC.objects.for_review(review).active().only(
            "id", "code", "stage", "statement"
        )
        self.fields["inputs"].label_from_instance = lambda c: (
            f"{c.code} ({c.get_stage_display().lower()}): {c.statement[:100]}"
        )

    def clean_inputs(self):
        inputs = self.cleaned_data["inputs"]
        if len(inputs) < 2:
            raise forms.ValidationError("Choose at least two CMOCs to merge.")
        return inputs


class SplitForm(DecisionMixin):
    """Two CMOCs from one: each keeps the original's elements and theory, with its own words."""

    first_code = forms.CharField(max_length=50, label="First new CMOC: code")
    first_statement = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}),
                                      label="First new CMOC: statement")
    second_code = forms.CharField(max_length=50, label="Second new CMOC: code")
    second_statement = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}),
                                       label="Second new CMOC: statement")
    stage = forms.ChoiceField(choices=CMOC.Stage.choices, initial=CMOC.Stage.REFINED,
                              label="Stage of the new CMOCs")
    field_order = ["first_code", "first_statement", "second_code", "second_statement", "stage"]

    def outputs(self, original):
        inherited = {slot: getattr(original, slot) for slot in LABELS}
        data = self.cleaned_data
        return [
            {"code": data[f"{n}_code"], "statement": data[f"{n}_statement"],
             "stage": data["stage"], "theory": original.theory, **inherited}
            for n in ("first", "second")
        ]


class DropForm(DecisionMixin):
    pass


class EvidenceLinkForm(forms.Form):
    excerpt = forms.ModelChoiceField(queryset=Excerpt.objects.none())
    element = forms.ChoiceField(choices=EvidenceLink.Element.choices,
                                initial=EvidenceLink.Element.WHOLE,
                                label="Element it bears on")
    stance = forms.ChoiceField(choices=EvidenceLink.Stance.choices,
                               initial=EvidenceLink.Stance.SUPPORTS)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, review, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["excerpt"]
        field.queryset = Excerpt.objects.filter(
            source__review__in=review.evidence_reviews()
        ).select_related("source").order_by("source__authors", "source__year", "id")
        field.label_from_instance = lambda x: (
            f"{x.source.short_citation}{', ' + x.location if x.location else ''}: {x.text[:90]}"
        )

"""Browser forms for lineage decisions: refine, merge, split (into N) and drop.

Each asks why (rationale, phase) and which excerpts drove the change; the
forms that make new CMOCs also ask which of the inputs' evidence links the
new CMOCs take ("carry", all by default). `cmocs.services` does the writes.
"""

from django import forms

from cmocs.forms import CMOCFieldsForm, excerpt_label, initial_from
from cmocs.models import CMOC, EvidenceLink
from evidence.models import Excerpt

# Ids are signed 64-bit: SQLite raises OverflowError (a 500) binding a larger one in `__in`.
_MAX_ID = 2**63 - 1


def _ids(values):
    return {int(v) for v in values if str(v).isdigit() and int(v) <= _MAX_ID}


class IdChoicesField(forms.ModelMultipleChoiceField):
    """Rows by id, refusing ids no database holds before querying (`_ids` says why)."""

    def _check_values(self, value):
        for pk in value:
            text = str(pk).strip()
            if text.lstrip("-").isdigit() and not -_MAX_ID - 1 <= int(text) <= _MAX_ID:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice",
                    params={"value": pk},
                )
        return super()._check_values(value)


def _link_label(link):
    return (f"{link.cmoc.code}: {excerpt_label(link.excerpt)} "
            f"({link.get_element_display()}, {link.get_stance_display().lower()})")


class DecisionMixin(forms.Form):
    """What every lineage decision records: why, in which phase, and the evidence that drove it.

    `input_ids` are the CMOCs the decision closes; the excerpts linked to them
    are offered as ticks, any other excerpt of the review in a list below.
    """

    rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Why: this is kept in the CMOC's lineage.",
        error_messages={"required": "Say why: a rationale is required."},
    )
    phase = forms.CharField(max_length=100, required=False,
                            help_text="e.g. Phase 2: theory refinement")
    drove = IdChoicesField(
        queryset=Excerpt.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        label="Evidence that drove this decision",
        help_text="Kept on the lineage event, beside the rationale.",
    )
    drove_other = IdChoicesField(
        queryset=Excerpt.objects.none(), required=False,
        label="Other excerpts that drove it", help_text="Hold Ctrl (or ⌘) to choose several.",
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )

    def setup_evidence(self, review, input_ids):
        excerpts = Excerpt.objects.filter(
            source__review__in=review.evidence_reviews()
        ).select_related("source").order_by("source__authors", "source__year", "id")
        linked = excerpts.filter(evidence_links__cmoc__in=input_ids).distinct()
        self.fields["drove"].queryset = linked
        self.fields["drove"].label_from_instance = excerpt_label
        self.fields["drove_other"].queryset = excerpts
        self.fields["drove_other"].label_from_instance = excerpt_label
        if not linked.exists():
            del self.fields["drove"]

    def driving_evidence(self):
        data = self.cleaned_data
        chosen = [*data.get("drove", []), *data.get("drove_other", [])]
        return list({excerpt.pk: excerpt for excerpt in chosen}.values())


class CarryMixin(forms.Form):
    """Which evidence links of the inputs the new CMOC takes: every one unless unticked.

    `offered` remembers which links the page showed. A link the page did not
    show (an input ticked after the page was drawn) is carried, as the
    default promises; the form is then redrawn with it ticked.
    """

    carry = IdChoicesField(
        queryset=EvidenceLink.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple, label="Evidence it takes",
        help_text="Ticked links are copied to the new CMOC. Every link also stays on the "
                  "CMOC it came from.",
    )
    offered = IdChoicesField(
        queryset=EvidenceLink.objects.none(), required=False, widget=forms.MultipleHiddenInput,
    )

    def setup_carry(self, input_ids):
        links = EvidenceLink.objects.filter(cmoc__in=input_ids).select_related(
            "cmoc", "excerpt__source").order_by("cmoc__code", "excerpt__source__authors", "id")
        for name in ("carry", "offered"):
            self.fields[name].queryset = links
        self.fields["carry"].label_from_instance = _link_label
        allowed = [link.pk for link in links]
        if self.is_bound:
            carry, offered = self._values("carry"), self._values("offered")
            self.data = self.data.copy()
            self.data.setlist(self.add_prefix("carry"),
                              [pk for pk in allowed if pk in carry or pk not in offered])
            self.data.setlist(self.add_prefix("offered"), allowed)
        else:
            self.initial.setdefault("carry", allowed)
            self.initial["offered"] = allowed
        if not allowed:
            del self.fields["carry"]

    def _values(self, name):
        return _ids(self.data.getlist(self.add_prefix(name)))

    def carried(self):
        return list(self.cleaned_data.get("carry", []))


class RefineForm(CarryMixin, DecisionMixin, CMOCFieldsForm):
    """The refined CMOC's fields (prefilled from the original), its evidence and the decision."""

    stage = forms.ChoiceField(choices=CMOC.Stage.choices, initial=CMOC.Stage.REFINED,
                              label="Stage of the new CMOC")
    field_order = ["code", "stage", "statement", "theory"]

    def __init__(self, *args, review, cmoc, **kwargs):
        kwargs.setdefault("initial", {**initial_from(cmoc), "stage": CMOC.Stage.REFINED})
        super().__init__(*args, review=review, **kwargs)
        self.setup_carry([cmoc.pk])
        self.setup_evidence(review, [cmoc.pk])


class MergeForm(CarryMixin, DecisionMixin, CMOCFieldsForm):
    inputs = IdChoicesField(
        queryset=CMOC.objects.none(), widget=forms.CheckboxSelectMultiple,
        label="CMOCs to merge (two or more)",
    )
    stage = forms.ChoiceField(choices=CMOC.Stage.choices, initial=CMOC.Stage.REFINED,
                              label="Stage of the merged CMOC")
    field_order = ["inputs", "code", "stage", "statement", "theory"]

    def __init__(self, *args, review, **kwargs):
        super().__init__(*args, review=review, **kwargs)
        active = CMOC.objects.for_review(review).active()
        self.fields["inputs"].queryset = active.only("id", "code", "stage", "statement")
        self.fields["inputs"].label_from_instance = lambda c: (
            f"{c.code} ({c.get_stage_display().lower()}): {c.statement[:100]}"
        )
        chosen = (self.data.getlist(self.add_prefix("inputs")) if self.is_bound
                  else self.initial.get("inputs", []))
        input_ids = list(active.filter(pk__in=_ids(chosen)).values_list("pk", flat=True))
        self.setup_carry(input_ids)
        self.setup_evidence(review, input_ids)

    def clean_inputs(self):
        inputs = self.cleaned_data["inputs"]
        if len(inputs) < 2:
            raise forms.ValidationError("Choose at least two CMOCs to merge.")
        return inputs


class SplitOutputForm(CarryMixin, CMOCFieldsForm):
    """One CMOC a split makes: the original's fields to edit, and the evidence it takes."""

    def __init__(self, *args, review, cmoc, **kwargs):
        super().__init__(*args, review=review, **kwargs)
        self.setup_carry([cmoc.pk])


class BaseSplitFormSet(forms.BaseFormSet):
    def clean(self):
        super().clean()
        codes = [f.cleaned_data.get("code") for f in self.kept_forms()]
        if len(codes) != len(set(codes)):
            raise forms.ValidationError("Give each new CMOC its own code.")

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Leave this output out"

    def kept_forms(self):
        """The outputs not marked for removal."""
        return [f for f in self.forms if f.cleaned_data and f not in self.deleted_forms]


SplitOutputFormSet = forms.formset_factory(
    SplitOutputForm, formset=BaseSplitFormSet, extra=0, min_num=2, validate_min=True,
    max_num=20, validate_max=True, can_delete=True,
)


def split_outputs(request_data, *, review, cmoc, add=False):
    """The split's outputs: two copies of the original to start, one more on "Add an output".

    Adding keeps everything typed so far; the new output starts as a copy of
    the original with all its evidence ticked.
    """
    prefix = "out"
    initial = initial_from(cmoc)
    if request_data is None:
        return SplitOutputFormSet(prefix=prefix, initial=[initial, initial],
                                  form_kwargs={"review": review, "cmoc": cmoc})
    data = request_data
    if add:
        data = request_data.copy()
        count = int(data.get(f"{prefix}-TOTAL_FORMS") or 0)
        for name, value in initial.items():
            data[f"{prefix}-{count}-{name}"] = "" if value is None else value
        data[f"{prefix}-TOTAL_FORMS"] = str(count + 1)
    return SplitOutputFormSet(data, prefix=prefix, form_kwargs={"review": review, "cmoc": cmoc})


class SplitForm(DecisionMixin):
    """The split decision; the outputs come in `SplitOutputFormSet`."""

    stage = forms.ChoiceField(choices=CMOC.Stage.choices, initial=CMOC.Stage.REFINED,
                              label="Stage of the new CMOCs")
    field_order = ["stage", "drove", "drove_other", "rationale", "phase"]

    def __init__(self, *args, review, cmoc, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_evidence(review, [cmoc.pk])


class DropForm(DecisionMixin):
    def __init__(self, *args, review, cmoc, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_evidence(review, [cmoc.pk])

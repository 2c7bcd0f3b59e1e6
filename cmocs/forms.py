"""Browser forms for CMOCs: they validate input; `cmocs.services` does every write."""

from types import SimpleNamespace

from django import forms

from cmocs.models import CMOC, EvidenceLink
from cmocs.slots import BY_NAME, LABELS
from evidence.models import Excerpt
from programme_theories.models import ProgrammeTheory


class CMOCFieldsForm(forms.Form):
    """A CMOC's own fields, with one text box per element.

    Each element is one control: its text. Text identical to an element the
    review already has in that slot reuses that element; any other text
    makes a new one (the old element stays with the CMOCs that use it), so
    typing over a pre-filled element can never clash with a selection. A
    mechanism's text is only matched against mechanisms of the slot's kind,
    so a reasoning mechanism never lands in the resource slot. A picker
    (enhanced by static/js/elements.js) copies an existing element's text in.
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
            self.fields[slot] = forms.CharField(
                required=False, label=label, strip=True,
                widget=forms.Textarea(attrs={"rows": 2, "data-element-slot": slot}),
                help_text="Keep, edit or replace the text. Text the review already has "
                          "reuses that element; new text makes a new one.",
            )
        self.fields["notes"] = forms.CharField(
            required=False, widget=forms.Textarea(attrs={"rows": 2}),
            help_text="Caveats, e.g. what the sources leave out",
        )
        for name in self.TRAILING_FIELDS:  # the decision comes last, after the new CMOC
            if name in self.fields:
                self.fields[name] = self.fields.pop(name)

    TRAILING_FIELDS = ("carry", "offered", "drove", "drove_other", "rationale", "phase")

    def element_groups(self):
        """Each element's text box and the review's existing texts for the picker."""
        return [
            {"slot": slot, "label": label, "field": self[slot],
             "existing": _element_texts(self.review, slot)}
            for slot, label in LABELS.items()
        ]

    def fields_before_elements(self):
        return [f for f in self.visible_fields() if f.name in self.LEAD_FIELDS]

    def fields_after_elements(self):
        return [f for f in self.visible_fields()
                if f.name not in self.LEAD_FIELDS and f.name not in LABELS]

    def cmoc_fields(self):
        """Keyword arguments for the services: known text is its element, new text a string."""
        data = self.cleaned_data
        fields = {name: data[name] for name in ("code", "statement", "theory", "notes")}
        for slot in LABELS:
            text = data.get(slot) or ""
            fields[slot] = (_element_queryset(self.review, slot).filter(text=text)
                            .order_by("id").first() or text) if text else None
        return fields

    def preview(self):
        """An unsaved stand-in for the CMOC these fields describe, for the confirm step."""
        fields = self.cmoc_fields()
        for slot in LABELS:
            if isinstance(fields[slot], str):
                fields[slot] = SimpleNamespace(text=fields[slot])
        return SimpleNamespace(stage=self.cleaned_data.get("stage", ""), **fields)


def _element_queryset(review, slot):
    return BY_NAME[slot].elements(review)


def _element_texts(review, slot):
    return sorted(set(_element_queryset(review, slot).values_list("text", flat=True)))


def initial_from(cmoc):
    return {
        "code": cmoc.code, "statement": cmoc.statement, "theory": cmoc.theory_id,
        "notes": cmoc.notes,
        **{slot: getattr(getattr(cmoc, slot), "text", "") for slot in LABELS},
    }


class CMOCCreateForm(CMOCFieldsForm):
    stage = forms.ChoiceField(choices=CMOC.Stage.choices, initial=CMOC.Stage.INITIAL)
    field_order = ["code", "stage", "statement", "theory"]


class CMOCEditForm(CMOCFieldsForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


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
        field.label_from_instance = excerpt_label


def excerpt_label(excerpt):
    location = f", {excerpt.location}" if excerpt.location else ""
    return f"{excerpt.source.short_citation}{location}: {excerpt.text[:90]}"


class DeleteForm(forms.Form):
    """Deleting a CMOC: the version the user saw, so a CMOC changed since is not deleted."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

"""Forms of the full-text pages: upload, excerpt from a selection, restate into a CMOC."""

import re

from django import forms

from cmocs.models import CMOC, EvidenceLink
from evidence.models import Excerpt


class UploadForm(forms.Form):
    file = forms.FileField(
        help_text="A PDF, an HTML page saved from the web, or a plain text or Markdown file."
    )


class SelectionForm(forms.Form):
    """A selection in the reader: offsets from the script, or only the quote when typed."""

    exact = forms.CharField(label="Quote", widget=forms.Textarea(attrs={"rows": 3}),
                            strip=False, help_text="Select text on the page, or type a phrase "
                            "from this page exactly.")
    start = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    end = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    kind = forms.ChoiceField(choices=Excerpt.Kind.choices, initial=Excerpt.Kind.QUOTE)
    cmoc = forms.CharField(required=False, max_length=80, label="Link to CMOC",
                           help_text="Its code, e.g. CMOC 3 (add “(initial)” or “(refined)” "
                           "when both stages use the code); leave empty for no link.")
    element = forms.ChoiceField(choices=EvidenceLink.Element.choices,
                                initial=EvidenceLink.Element.WHOLE)
    stance = forms.ChoiceField(choices=EvidenceLink.Stance.choices,
                               initial=EvidenceLink.Stance.SUPPORTS)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, review, **kwargs):
        super().__init__(*args, **kwargs)
        self.review = review

    def clean_cmoc(self):
        """The active CMOC named by its code: a reader page must not list every CMOC
        of a large review in a menu, so the reviewer types the code they are coding for."""
        text = self.cleaned_data["cmoc"].strip()
        if not text:
            return None
        match = re.fullmatch(r"(.+?)\s*\((initial|refined)\)", text, re.IGNORECASE)
        code, stage = (match.group(1), match.group(2).lower()) if match else (text, None)
        found = CMOC.objects.for_review(self.review).active().filter(code__iexact=code)
        if stage:
            found = found.filter(stage=stage)
        found = list(found[:2])
        if not found:
            raise forms.ValidationError(f"No active CMOC is coded “{text}” in this review.")
        if len(found) > 1:
            raise forms.ValidationError(f"Both an initial and a refined CMOC are coded “{code}”: "
                                        "add (initial) or (refined).")
        return found[0]

    def clean(self):
        data = super().clean()
        if (data.get("start") is None) != (data.get("end") is None):
            raise forms.ValidationError("Give both offsets of the selection, or neither.")
        return data

    def link(self):
        data = self.cleaned_data
        if not data.get("cmoc"):
            return None
        return {"cmoc": data["cmoc"], "element": data["element"], "stance": data["stance"],
                "note": data["note"]}


class RestateForm(forms.Form):
    """A new CMOC written from chosen excerpts, each becoming one of its evidence links."""

    code = forms.CharField(max_length=50, help_text="e.g. CMOC 7")
    statement = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    context = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    mechanism_resource = forms.CharField(label="Mechanism (resource)",
                                         widget=forms.Textarea(attrs={"rows": 2}))
    mechanism_reasoning = forms.CharField(label="Mechanism (reasoning)",
                                          widget=forms.Textarea(attrs={"rows": 2}))
    outcome = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    excerpts = forms.ModelMultipleChoiceField(queryset=Excerpt.objects.none(),
                                              widget=forms.MultipleHiddenInput)

    def __init__(self, *args, review, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["excerpts"].queryset = Excerpt.objects.for_review(review)

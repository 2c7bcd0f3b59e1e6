"""The screening forms: a decision, a conflict's resolution, an appraisal, the protocol."""

from django import forms
from django.core.exceptions import ValidationError

from evidence.models import (
    Appraisal,
    ScreeningDecision,
    ScreeningResolution,
    ScreeningStage,
    SourceDocument,
)


class _SourceVerdictForm(forms.Form):
    """A verdict on one source of the review: its id (checked to be the review's) and a reason."""

    source = forms.IntegerField(widget=forms.HiddenInput)
    exclusion_reason = forms.ModelChoiceField(queryset=None, required=False)

    def __init__(self, *args, review, **kwargs):
        super().__init__(*args, **kwargs)
        self.review = review
        self.fields["exclusion_reason"].queryset = review.exclusion_reasons.all()

    def clean_source(self):
        source = SourceDocument.objects.filter(
            pk=self.cleaned_data["source"], review=self.review
        ).first()
        if source is None:
            raise ValidationError("No such source in this review.")
        return source


class DecisionForm(_SourceVerdictForm):
    decision = forms.ChoiceField(choices=ScreeningDecision.Decision.choices)
    note = forms.CharField(required=False, max_length=20_000, widget=forms.Textarea)


class ResolveForm(_SourceVerdictForm):
    stage = forms.ChoiceField(choices=ScreeningStage.choices, widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        choices=ScreeningResolution.Decision.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(max_length=20_000, widget=forms.Textarea(attrs={"rows": 2}))


class AppraisalForm(forms.Form):
    criterion = forms.ChoiceField(choices=Appraisal.Criterion.choices)
    judgement = forms.ChoiceField(choices=Appraisal.Judgement.choices, widget=forms.RadioSelect)
    excerpt = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="The whole source"
    )
    note = forms.CharField(required=False, max_length=20_000, widget=forms.Textarea(
        attrs={"rows": 3}))

    def __init__(self, *args, source, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["excerpt"].queryset = source.excerpts.all()


class ProtocolForm(forms.Form):
    required_reviewers = forms.IntegerField(min_value=1, max_value=10)
    keywords = forms.CharField(required=False, max_length=5_000, widget=forms.Textarea(
        attrs={"rows": 3}), help_text="Highlighted in abstracts; comma- or line-separated.")
    reasons = forms.CharField(required=False, max_length=20_000, widget=forms.Textarea(
        attrs={"rows": 6}), label="Exclusion reasons", help_text="One per line, in order.")

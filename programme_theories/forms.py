from django import forms

from programme_theories.models import ProgrammeTheory, Theme


class TheoryForm(forms.ModelForm):
    """A theory's editable fields, plus the version the editor started from."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    class Meta:
        model = ProgrammeTheory
        fields = ["name", "stage", "theme", "revises", "statement", "notes"]
        widgets = {"statement": forms.Textarea(attrs={"rows": 8}),
                   "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, review, **kwargs):
        super().__init__(*args, **kwargs)
        # The model's clean() compares the theme's review with the theory's: a new
        # theory must know its review before validation, or every theme is "another review's".
        self.instance.review = review
        self.fields["theme"].queryset = Theme.objects.filter(
            framework__review=review
        ).select_related("framework")
        self.fields["revises"].queryset = ProgrammeTheory.objects.for_review(review).exclude(
            pk=self.instance.pk
        )
        self.fields["revises"].label = "Revises (the earlier theory this one replaces)"

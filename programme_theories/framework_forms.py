"""Forms for a review's frameworks and their themes, and for new theories."""

from django import forms

from ichub.edits import VersionedEditForm
from programme_theories.forms import TheoryForm
from programme_theories.models import Framework, ProgrammeTheory, Theme


class _UniqueInReview(VersionedEditForm):
    """Checks a (parent, name) uniqueness the form cannot, its parent not being a field."""

    parent_field = ""

    def validate_unique(self):
        instance = self.instance
        parent = {self.parent_field: getattr(instance, self.parent_field)}
        taken = type(instance).objects.filter(**parent, name=instance.name).exclude(pk=instance.pk)
        if "name" in self.cleaned_data and taken.exists():
            self.add_error("name", f"“{instance.name}” is already used here: choose another name.")


class FrameworkForm(_UniqueInReview):
    parent_field = "review"

    class Meta:
        model = Framework
        fields = ["name", "kind", "citation", "description"]
        widgets = {"citation": forms.Textarea(attrs={"rows": 2}),
                   "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, review, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.review = review


class ThemeForm(_UniqueInReview):
    parent_field = "framework"

    class Meta:
        model = Theme
        fields = ["name", "description", "citations"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}),
                   "citations": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, framework, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.framework = framework


class DeleteThemeForm(forms.Form):
    """A theme in use goes only once the user says where its theories go."""

    move_to = forms.ModelChoiceField(
        queryset=Theme.objects.none(), required=False,
        label="Move its theories to",
        empty_label="No theme (the theories stay, without a theme)",
    )

    def __init__(self, *args, theme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["move_to"].queryset = Theme.objects.filter(
            framework__review=theme.framework.review_id).exclude(pk=theme.pk).select_related(
            "framework")


class NewTheoryForm(TheoryForm):
    """A theory's fields without the version a later edit checks."""

    class Meta(TheoryForm.Meta):
        model = ProgrammeTheory

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["version"]

"""Forms for a review's own record: starting it, its settings, its definitions."""

from django import forms
from django.utils.text import slugify

from ichub.edits import VersionedEditForm
from ichub.models import OperationalDefinition, Review

# Paths under /reviews/ that are pages, not reviews.
RESERVED_SLUGS = {"new", "import"}


class ReviewForm(forms.ModelForm):
    """A new review. The slug may be left blank: it is then made from the title."""

    class Meta:
        model = Review
        fields = ["title", "slug", "question", "method", "reporting_standard", "summary",
                  "visibility"]
        widgets = {"question": forms.Textarea(attrs={"rows": 3}),
                   "summary": forms.Textarea(attrs={"rows": 5})}
        help_texts = {
            "slug": "The review's address: /reviews/<slug>/. Leave blank to make one from the "
                    "title. It cannot change later, because links use it.",
            "visibility": "Public reviews can be read by anyone; private ones only by members.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False

    def clean_slug(self):
        slug = self.cleaned_data.get("slug") or slugify(self.data.get("title", ""))[:100]
        if not slug:
            raise forms.ValidationError("Enter a slug (letters, numbers, hyphens).")
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError(f"“{slug}” is reserved for a page: choose another.")
        if Review.objects.filter(slug=slug).exists():
            raise forms.ValidationError(
                f"The slug “{slug}” is taken: choose another (it was suggested from the title)."
            )
        return slug


class ReviewSettingsForm(VersionedEditForm):
    """Everything an owner may change; the slug stays, since links use it."""

    class Meta:
        model = Review
        fields = ["title", "question", "method", "reporting_standard", "summary", "visibility",
                  "authors", "year", "citation", "doi", "notes"]
        widgets = {"question": forms.Textarea(attrs={"rows": 3}),
                   "summary": forms.Textarea(attrs={"rows": 5}),
                   "citation": forms.Textarea(attrs={"rows": 2}),
                   "notes": forms.Textarea(attrs={"rows": 3})}


class DeleteReviewForm(forms.Form):
    confirm = forms.CharField(label="Type the review's slug to confirm", max_length=100)

    def __init__(self, *args, review, **kwargs):
        super().__init__(*args, **kwargs)
        self.review = review

    def clean_confirm(self):
        value = self.cleaned_data["confirm"].strip()
        if value != self.review.slug:
            raise forms.ValidationError(f"Type “{self.review.slug}” exactly to delete the review.")
        return value


class DefinitionForm(VersionedEditForm):
    class Meta:
        model = OperationalDefinition
        fields = ["element", "text", "source_note"]
        widgets = {"text": forms.Textarea(attrs={"rows": 4})}
        labels = {"source_note": "Source (where the definition comes from)"}

    def __init__(self, *args, review, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.review = review

    def validate_unique(self):
        # The review is not a form field, so ModelForm would skip the (review, element) check.
        instance = self.instance
        taken = OperationalDefinition.objects.filter(
            review=instance.review, element=instance.element).exclude(pk=instance.pk)
        if "element" in self.cleaned_data and taken.exists():
            self.add_error("element", f"This review already defines "
                           f"{instance.get_element_display().lower()}: edit that one instead.")

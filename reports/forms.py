"""The whole-review import page's form: one export file."""

from django import forms
from django.conf import settings


class ReviewImportForm(forms.Form):
    file = forms.FileField(
        label="Whole-review export (.json, or .zip with its full-text files)",
        help_text="A file from a review's \"Whole review (JSON backup)\" or \"Whole review "
        "with its full-text files (.zip)\" download, or GET /api/reviews/{slug}/export/, up "
        "to 200 MB. It is restored in the background "
        "as a new review that you own; you can follow it, and leave the page.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.JOB_UPLOAD_MAX_BYTES:
            limit = settings.JOB_UPLOAD_MAX_BYTES // (1024 * 1024)
            raise forms.ValidationError(f"The file is over the {limit} MB limit.")
        return upload

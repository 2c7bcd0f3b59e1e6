"""The reference import form: a file, the kind of its sources, and how strict to be."""

from django import forms
from django.conf import settings

from evidence.models import SourceDocument


class SourceImportForm(forms.Form):
    file = forms.FileField(
        label="Reference file",
        help_text="RIS (EndNote, Zotero, Mendeley, Scopus), BibTeX, PubMed .nbib, Web of "
        "Science or CSL-JSON export, up to 200 MB. A file over 1 MB is imported in the "
        "background without a preview; you can follow it, and leave the page.",
    )
    kind = forms.ChoiceField(
        choices=SourceDocument.Kind.choices,
        initial=SourceDocument.Kind.EMPIRICAL_STUDY,
        label="Kind of source",
    )
    encoding = forms.CharField(
        required=False,
        max_length=40,
        label="Encoding (only if not UTF-8)",
        help_text="Leave empty: ichub reads UTF-8 and UTF-16, and asks when it cannot tell "
        "another encoding for sure (for example gbk, cp1252, shift_jis).",
    )
    import_all_possible = forms.BooleanField(
        required=False,
        label="Import possible duplicates too",
        help_text="Records with the title and year of a source already here but published "
        "elsewhere are held back for you to tick in the preview. A file imported in the "
        "background has no preview: tick this to import them all as new sources.",
    )
    skip_invalid = forms.BooleanField(
        required=False,
        label="Skip invalid records",
        help_text="Import the good records of a file that has bad ones. "
        "Otherwise a file with any bad record is refused whole.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.JOB_UPLOAD_MAX_BYTES:
            limit = settings.JOB_UPLOAD_MAX_BYTES // (1024 * 1024)
            raise forms.ValidationError(f"The file is over the {limit} MB limit.")
        return upload

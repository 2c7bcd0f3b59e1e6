"""The reference import form: a file, the kind of its sources, and how strict to be."""

from django import forms

from evidence.importers import MAX_IMPORT_BYTES
from evidence.models import SourceDocument


class SourceImportForm(forms.Form):
    file = forms.FileField(
        label="Reference file",
        help_text="RIS (EndNote, Zotero, Mendeley, Scopus), BibTeX, PubMed .nbib or Web of "
        "Science export, up to 10 MB.",
    )
    kind = forms.ChoiceField(
        choices=SourceDocument.Kind.choices,
        initial=SourceDocument.Kind.EMPIRICAL_STUDY,
        label="Kind of source",
    )
    skip_invalid = forms.BooleanField(
        required=False,
        label="Skip invalid records",
        help_text="Import the good records of a file that has bad ones. "
        "Otherwise a file with any bad record is refused whole.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError("The file is over the 10 MB limit.")
        return upload

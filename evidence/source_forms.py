"""Adding and editing one source by hand: every bibliographic field and its kind."""

import re
import unicodedata

from django import forms

from evidence.importers.types import CSL_TYPES
from evidence.models import SourceDocument
from ichub.edits import VersionedEditForm

# The types people pick most, named as reference managers name them; the rest
# of CSL's vocabulary follows under its own names.
_COMMON_TYPES = {
    "article-journal": "Journal article", "report": "Report", "book": "Book",
    "chapter": "Book chapter", "paper-conference": "Conference paper", "thesis": "Thesis",
    "webpage": "Web page", "article-magazine": "Magazine article",
    "article-newspaper": "Newspaper article", "legislation": "Legislation",
    "dataset": "Dataset", "interview": "Interview",
}
REFERENCE_TYPE_CHOICES = [
    ("", "From its kind (journal article for a study, report for policy…)"),
    *_COMMON_TYPES.items(),
    ("Other CSL types", [(name, name) for name in sorted(CSL_TYPES - _COMMON_TYPES.keys())]),
]


class SourceForm(VersionedEditForm):
    class Meta:
        model = SourceDocument
        fields = ["kind", "reference_type", "genre", "title", "authors", "editors", "year",
                  "container", "publisher", "volume", "issue", "pages", "doi", "url",
                  "abstract", "keywords", "phase", "citation_key", "notes"]
        widgets = {"title": forms.Textarea(attrs={"rows": 2}),
                   "authors": forms.Textarea(attrs={"rows": 2}),
                   "editors": forms.Textarea(attrs={"rows": 2}),
                   "reference_type": forms.Select(choices=REFERENCE_TYPE_CHOICES),
                   "abstract": forms.Textarea(attrs={"rows": 5}),
                   "keywords": forms.Textarea(attrs={"rows": 3}),
                   "notes": forms.Textarea(attrs={"rows": 3})}
        labels = {"container": "Published in", "reference_type": "Reference type"}

    def __init__(self, *args, review, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.review = review
        self.fields["citation_key"].required = False
        self.fields["citation_key"].help_text = (
            "Short key unique within the review, e.g. pearson2018. Leave blank to make one "
            "from the first author and year."
        )
        self.fields["year"].widget.attrs.update({"min": 1000, "max": 9999})

    def clean_reference_type(self):
        """Only CSL types, as the API and every importer store, so each export can write it."""
        value = self.cleaned_data.get("reference_type", "")
        if value and value not in CSL_TYPES:
            raise forms.ValidationError(f"Unknown reference type {value!r}: pick one of the list.")
        return value

    def clean_citation_key(self):
        key = self.cleaned_data.get("citation_key")
        if key:
            return key
        return suggest_citation_key(self.instance.review, self.data.get("authors", ""),
                                    self.data.get("year", ""))

    def validate_unique(self):
        # The review is not a form field, so ModelForm would skip the checks that involve it.
        instance = self.instance
        try:
            instance.validate_constraints()
        except forms.ValidationError as exc:
            for message in exc.messages:
                field = "doi" if "DOI" in message else "citation_key"
                self.add_error(field, message)


def suggest_citation_key(review, authors, year):
    """'pearson2018', or 'pearson2018b' (c, d, …) when taken in the review."""
    lead = (authors or "").split(" and ")[0].split(";")[0].strip()
    surname = lead.split(",")[0] if "," in lead else (lead.split() or ["anon"])[-1]
    folded = unicodedata.normalize("NFKD", surname).encode("ascii", "ignore").decode().lower()
    base = (re.sub(r"[^a-z0-9]", "", folded)[:40] or "anon") + (str(year).strip() or "nd")
    taken = set(SourceDocument.objects.filter(review=review, citation_key__startswith=base)
                .values_list("citation_key", flat=True))
    if base not in taken:
        return base
    return next(f"{base}{letter}" for letter in "bcdefghijklmnopqrstuvwxyz"
                if f"{base}{letter}" not in taken)

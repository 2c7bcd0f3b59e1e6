"""Browser edits of versioned records: the form names the version it started from.

Reviews' settings, operational definitions, frameworks, themes and sources are
edited in plain forms. Two people may open the same one; whoever saves second
started from a version that no longer exists. Their save is refused (409), the
page shows what is saved now, and their typing stays in the form, now aimed at
the saved version, so saving again is a deliberate choice (as on the CMOC and
theory edit pages).
"""

from dataclasses import dataclass, field

from django import forms
from django.db import transaction

from ichub.versioning import StaleVersion


class VersionedEditForm(forms.ModelForm):
    """A ModelForm that carries the record's version when it edits one (new records have none)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            del self.fields["version"]
        elif not self.is_bound:
            self.initial["version"] = self.instance.version


@dataclass
class StaleEdit:
    """What someone else saved first: the stored record and the fields where it differs."""

    saved: object
    differences: list = field(default_factory=list)  # (label, saved value shown)


def save_edit(form, *, user):
    """Save a valid VersionedEditForm if nobody saved its record since; else a StaleEdit.

    The version is claimed and the form saved in one transaction, so of two
    editors who started from the same version exactly one wins.
    """
    record = form.instance
    try:
        with transaction.atomic():
            record.claim_version(form.cleaned_data["version"], user=user)
            record._history_user = user
            form.save()
    except StaleVersion:
        return _over_saved_version(form)
    return None


def _over_saved_version(form):
    saved = type(form.instance)._base_manager.get(pk=form.instance.pk)
    data = form.data.copy()
    data["version"] = str(saved.version)
    form.data = data
    differences = []
    for name in form._meta.fields:
        model_field = saved._meta.get_field(name)
        value = getattr(saved, name)
        if name in form.cleaned_data and form.cleaned_data[name] == value:
            continue
        shown = getattr(saved, f"get_{name}_display")() if model_field.choices else value
        differences.append((form.fields[name].label or model_field.verbose_name,
                            "" if shown is None else shown))
    return StaleEdit(saved=saved, differences=differences)


def edit_status(form, stale):
    """409 when someone saved first, 400 for invalid input, else 200."""
    if stale is not None:
        return 409
    return 400 if form.errors else 200

"""Starting, revising and deleting programme theories, and a theory's change history."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from ichub.permissions import EDITOR, get_review_for_user
from ichub.versioning import StaleVersion
from programme_theories.framework_forms import NewTheoryForm
from programme_theories.models import ProgrammeTheory
from programme_theories.services import create_theory, delete_empty_theory, revise_theory

NEXT_STAGE = {
    ProgrammeTheory.Stage.INITIAL_ROUGH: ProgrammeTheory.Stage.INITIAL,
    ProgrammeTheory.Stage.INITIAL: ProgrammeTheory.Stage.REFINED,
}
HIDDEN = ["version", "updated_at", "updated_by", "created_by", "created_at"]


def _save_new(form, save):
    """Run `save` with the form's data; a rule the model enforces lands on its field."""
    if not form.is_valid():
        return None
    try:
        return save(**form.cleaned_data)
    except ValidationError as exc:
        by_field = exc.error_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc}
        for field, errors in by_field.items():
            # (review, stage, name) is unique: the name is what the user would change.
            target = field if field in form.fields else "name"
            form.add_error(target, errors)
        return None


@login_required
def theory_new(request, slug):
    review = get_review_for_user(request.user, slug, role=EDITOR)
    form = NewTheoryForm(request.POST or None, review=review)
    if request.method == "POST":
        theory = _save_new(form,
                           lambda **data: create_theory(review=review, user=request.user, **data))
        if theory is not None:
            messages.success(request, f"Added the theory “{theory.name}”.")
            return redirect("theories:detail", review.slug, theory.pk)
    return render(request, "programme_theories/theory_form.html", {
        "review": review, "form": form, "title": "New programme theory", "submit": "Add theory",
    }, status=400 if form.errors else 200)


@login_required
def theory_revise(request, slug, pk):
    """A new version of a theory, usually at the next stage, that records what it revises."""
    review = get_review_for_user(request.user, slug, role=EDITOR)
    earlier = get_object_or_404(ProgrammeTheory, review=review, pk=pk)
    initial = {"name": earlier.name, "statement": earlier.statement, "theme": earlier.theme_id,
               "stage": NEXT_STAGE.get(earlier.stage, earlier.stage), "revises": earlier.pk}
    form = NewTheoryForm(request.POST or None, review=review, initial=initial)
    del form.fields["revises"]
    if request.method == "POST":
        theory = _save_new(form,
                           lambda **data: revise_theory(theory=earlier, user=request.user, **data))
        if theory is not None:
            messages.success(request, f"Saved “{theory}” as a revision of “{earlier}”.")
            return redirect("theories:detail", review.slug, theory.pk)
    return render(request, "programme_theories/theory_form.html", {
        "review": review, "form": form, "title": f"Revise “{earlier}”",
        "submit": "Save the revision", "earlier": earlier,
    }, status=400 if form.errors else 200)


@login_required
@require_POST
def theory_delete(request, slug, pk):
    review = get_review_for_user(request.user, slug, role=EDITOR)
    theory = get_object_or_404(ProgrammeTheory, review=review, pk=pk)
    try:
        delete_empty_theory(theory=theory, user=request.user,
                            expected_version=int(request.POST.get("version") or 0))
    except StaleVersion:
        messages.error(request, "Someone changed this theory meanwhile: look again, then delete.")
        return redirect("theories:detail", review.slug, theory.pk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("theories:detail", review.slug, theory.pk)
    messages.success(request, f"Deleted the theory “{theory.name}”.")
    return redirect("hub:dashboard", review.slug)


def theory_history(theory):
    """Each saved version, newest first, with who, when and which fields changed."""
    records = list(theory.history.select_related("history_user").order_by("history_date",
                                                                           "history_id"))
    entries = []
    for previous, record in zip([None, *records], records, strict=False):
        changes = []
        if previous is not None:
            delta = record.diff_against(previous, excluded_fields=HIDDEN)
            changes = [{"label": ProgrammeTheory._meta.get_field(c.field).verbose_name,
                        "old": c.old, "new": c.new} for c in delta.changes]
        entries.append({"record": record, "changes": changes})
    return list(reversed(entries))

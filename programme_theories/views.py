"""Programme theory pages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from cmocs.models import CMOC
from ichub.fields import natural_sort_key
from ichub.permissions import EDITOR, get_review_for_user, has_role
from ichub.versioning import StaleVersion
from programme_theories.forms import TheoryForm
from programme_theories.models import ProgrammeTheory
from programme_theories.services import update_theory
from programme_theories.theory_views import theory_history


def _get_theory_for_user(request, slug, pk, *, role=None):
    review = get_review_for_user(request.user, slug, role=role)
    theory = get_object_or_404(
        ProgrammeTheory.objects.select_related("theme__framework", "revises", "updated_by"),
        review=review, pk=pk,
    )
    return review, theory


def theory_detail(request, slug, pk):
    review, theory = _get_theory_for_user(request, slug, pk)
    cmocs = sorted(
        CMOC.objects.filter(theory=theory).with_elements(),
        key=lambda c: (c.stage != CMOC.Stage.REFINED, natural_sort_key(c.code)),
    )
    # CMOCs placed under this theory only by ichub's reading are a layer of their own,
    # shown when the reader asks (?inferred=1), never mixed in with the review's own.
    show_inferred = request.GET.get("inferred") == "1"
    read_in = [c for c in cmocs if c.theory_is_inferred]
    return render(request, "programme_theories/detail.html", {
        "review": review,
        "theory": theory,
        "cmocs": [c for c in cmocs if not c.theory_is_inferred or show_inferred],
        "read_in_count": len(read_in),
        "show_inferred": show_inferred,
        "revised_by": theory.revised_by.only("id", "name", "stage"),
        "can_edit": has_role(request.user, review, EDITOR),
        "history": theory_history(theory),
    })


@login_required
def theory_edit(request, slug, pk):
    review, theory = _get_theory_for_user(request, slug, pk, role=EDITOR)
    saved = None
    if request.method == "POST":
        form = TheoryForm(request.POST, instance=theory, review=review)
        if form.is_valid():
            data = dict(form.cleaned_data)
            expected = data.pop("version")
            try:
                update_theory(theory=theory, user=request.user, expected_version=expected, **data)
            except StaleVersion:
                saved = ProgrammeTheory.objects.select_related("updated_by").get(pk=theory.pk)
                form = _form_over_saved_version(request, saved, theory, review)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, f"Saved “{theory.name}”.")
                return redirect("theories:detail", review.slug, theory.pk)
    else:
        form = TheoryForm(instance=theory, review=review, initial={"version": theory.version})
    return render(request, "programme_theories/edit.html", {
        "review": review, "theory": theory, "form": form, "saved": saved,
    }, status=409 if saved else 200)


def _form_over_saved_version(request, saved, theory, review):
    """The user's own text, now aimed at the saved version so saving again is a choice.

    The form validates onto `theory` (the stale copy), never onto `saved`, which
    must keep showing what is in the database.
    """
    data = request.POST.copy()
    data["version"] = saved.version
    form = TheoryForm(data, instance=theory, review=review)
    form.is_valid()
    return form

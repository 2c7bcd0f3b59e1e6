"""Programme theory pages and the review's evidence matrix."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from cmocs.lineage import code_sort_key
from cmocs.models import CMOC
from cmocs.services import StaleVersion
from ichub.models import Review
from ichub.permissions import get_review_for_user
from programme_theories.exports import matrix_table, to_csv
from programme_theories.forms import TheoryForm
from programme_theories.models import ProgrammeTheory
from programme_theories.reports import evidence_matrix
from programme_theories.services import update_theory


def _get_theory_for_user(request, slug, pk, *, write=False):
    review = get_review_for_user(request.user, slug, write=write)
    theory = get_object_or_404(
        ProgrammeTheory.objects.select_related("theme__framework", "revises", "updated_by"),
        review=review, pk=pk,
    )
    return review, theory


def theory_detail(request, slug, pk):
    review, theory = _get_theory_for_user(request, slug, pk)
    cmocs = sorted(
        CMOC.objects.filter(theory=theory).with_elements(),
        key=lambda c: (c.stage != CMOC.Stage.REFINED, code_sort_key(c.code)),
    )
    return render(request, "programme_theories/detail.html", {
        "review": review,
        "theory": theory,
        "cmocs": cmocs,
        "revised_by": theory.revised_by.only("id", "name", "stage"),
        "can_edit": review.can_edit(request.user),
    })


@login_required
def theory_edit(request, slug, pk):
    review, theory = _get_theory_for_user(request, slug, pk, write=True)
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


def _get_matrix_for_user(request, slug):
    review = get_review_for_user(request.user, slug)
    return review, evidence_matrix(review)


def matrix(request, slug):
    review, result = _get_matrix_for_user(request, slug)
    # Sources may come from a review that tests this one: their pages live under its slug.
    slugs = dict(
        Review.objects.filter(pk__in={s.review_id for s in result.sources}).values_list(
            "pk", "slug"
        )
    )
    rows = [
        (
            source,
            slugs[source.review_id],
            [(cmoc, result.stances(cmoc.pk, source.pk)) for cmoc in result.cmocs],
        )
        for source in result.sources
    ]
    return render(request, "programme_theories/matrix.html", {
        "review": review, "matrix": result, "rows": rows,
    })


def matrix_csv(request, slug):
    """The same table the downloads offer, with spreadsheet formulas neutralised there."""
    review = get_review_for_user(request.user, slug)
    header, rows = matrix_table(review)
    response = HttpResponse(to_csv(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{review.slug}-evidence-matrix.csv"'
    return response

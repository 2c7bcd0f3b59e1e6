"""Pages for a review's own record: start one, its settings (owners), its definitions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from ichub.edits import edit_status, save_edit
from ichub.forms import DefinitionForm, DeleteReviewForm, ReviewForm, ReviewSettingsForm
from ichub.models import OperationalDefinition
from ichub.permissions import EDITOR, OWNER, get_review_for_user, has_role
from ichub.services import add_definition, create_review, move_definition


@login_required
def review_new(request):
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        review = create_review(form=form, user=request.user)
        messages.success(request, f"Started “{review.title}”. You are its owner.")
        return redirect("hub:dashboard", review.slug)
    return render(request, "ichub/review_form.html", {"form": form},
                  status=400 if form.errors else 200)


@login_required
def review_settings(request, slug):
    review = get_review_for_user(request.user, slug, role=OWNER)
    form = ReviewSettingsForm(request.POST or None, instance=review)
    stale = None
    if request.method == "POST" and form.is_valid():
        stale = save_edit(form, user=request.user)
        if stale is None:
            messages.success(request, "Saved the review's settings.")
            return redirect("hub:dashboard", review.slug)
    return render(request, "ichub/review_settings.html", {
        "review": review, "form": form, "delete_form": DeleteReviewForm(review=review),
        "stale": stale,
    }, status=edit_status(form, stale))


@login_required
@require_POST
def review_delete(request, slug):
    review = get_review_for_user(request.user, slug, role=OWNER)
    delete_form = DeleteReviewForm(request.POST, review=review)
    if not delete_form.is_valid():
        return render(request, "ichub/review_settings.html", {
            "review": review, "form": ReviewSettingsForm(instance=review),
            "delete_form": delete_form,
        }, status=400)
    title = review.title
    with transaction.atomic():
        review.delete()
    messages.success(request, f"Deleted “{title}” and everything in it.")
    return redirect("hub:home")


def _get_definition_for_user(request, slug, pk):
    review = get_review_for_user(request.user, slug, role=EDITOR)
    return review, get_object_or_404(OperationalDefinition, review=review, pk=pk)


def definitions(request, slug):
    """Table 1 of the review; editors add to it here."""
    review = get_review_for_user(request.user, slug)
    can_edit = has_role(request.user, review, EDITOR)
    form = None
    if can_edit:
        form = DefinitionForm(request.POST or None, review=review)
    if request.method == "POST":
        if not can_edit:
            get_review_for_user(request.user, slug, role=EDITOR)  # 403 (or login first)
        if form.is_valid():
            definition = add_definition(form=form, review=review)
            messages.success(request, f"Added the definition of "
                             f"{definition.get_element_display().lower()}.")
            return redirect("reviews:definitions", review.slug)
    return render(request, "ichub/definitions.html", {
        "review": review, "definitions": review.definitions.all(), "form": form,
        "can_edit": can_edit,
    }, status=400 if form is not None and form.errors else 200)


@login_required
def definition_edit(request, slug, pk):
    review, definition = _get_definition_for_user(request, slug, pk)
    form = DefinitionForm(request.POST or None, instance=definition, review=review)
    stale = None
    if request.method == "POST" and form.is_valid():
        stale = save_edit(form, user=request.user)
        if stale is None:
            messages.success(request, "Saved the definition.")
            return redirect("reviews:definitions", review.slug)
    return render(request, "ichub/definition_form.html", {
        "review": review, "definition": definition, "form": form, "stale": stale,
    }, status=edit_status(form, stale))


@login_required
@require_POST
def definition_move(request, slug, pk):
    review, definition = _get_definition_for_user(request, slug, pk)
    move_definition(definition=definition, direction=-1 if request.POST.get("to") == "up" else 1)
    return redirect("reviews:definitions", review.slug)


@login_required
@require_POST
def definition_delete(request, slug, pk):
    review, definition = _get_definition_for_user(request, slug, pk)
    with transaction.atomic():
        definition.delete()
    messages.success(request, f"Deleted the definition of "
                     f"{definition.get_element_display().lower()}.")
    return redirect("reviews:definitions", review.slug)

"""The frameworks page: a review's frameworks and their themes, edited by editors."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ichub.edits import edit_status, save_edit
from ichub.permissions import EDITOR, get_review_for_user, has_role
from programme_theories.framework_forms import DeleteThemeForm, FrameworkForm, ThemeForm
from programme_theories.models import Framework, Theme
from programme_theories.services import (
    add_framework,
    add_theme,
    delete_theme,
    move_framework,
    move_theme,
)


def _get_framework_for_user(request, slug, pk):
    review = get_review_for_user(request.user, slug, role=EDITOR)
    return review, get_object_or_404(Framework, review=review, pk=pk)


def _get_theme_for_user(request, slug, pk):
    review = get_review_for_user(request.user, slug, role=EDITOR)
    return review, get_object_or_404(Theme.objects.select_related("framework"),
                                     framework__review=review, pk=pk)


def frameworks(request, slug):
    """Every framework with its themes in order; editors add frameworks here."""
    review = get_review_for_user(request.user, slug)
    can_edit = has_role(request.user, review, EDITOR)
    form = FrameworkForm(request.POST or None, review=review) if can_edit else None
    if request.method == "POST":
        if not can_edit:
            get_review_for_user(request.user, slug, role=EDITOR)  # 403
        if form.is_valid():
            framework = add_framework(form=form, review=review)
            messages.success(request, f"Added the framework “{framework.name}”: add its themes.")
            return redirect("frameworks:list", review.slug)
    themes = Theme.objects.annotate(n_theories=Count("theories")).order_by("order", "name")
    listed = review.frameworks.order_by("order", "kind", "name").prefetch_related(
        Prefetch("themes", queryset=themes))
    return render(request, "programme_theories/frameworks.html", {
        "review": review, "frameworks": listed, "form": form, "can_edit": can_edit,
    }, status=400 if form is not None and form.errors else 200)


@login_required
def framework_edit(request, slug, pk):
    review, framework = _get_framework_for_user(request, slug, pk)
    form = FrameworkForm(request.POST or None, instance=framework, review=review)
    stale = None
    if request.method == "POST" and form.is_valid():
        stale = save_edit(form, user=request.user)
        if stale is None:
            messages.success(request, f"Saved the framework “{framework.name}”.")
            return redirect("frameworks:list", review.slug)
    return render(request, "programme_theories/framework_form.html", {
        "review": review, "form": form, "title": f"Edit the framework “{framework.name}”",
        "submit": "Save framework", "stale": stale,
    }, status=edit_status(form, stale))


@login_required
@require_POST
def framework_move(request, slug, pk):
    review, framework = _get_framework_for_user(request, slug, pk)
    move_framework(framework=framework, direction=-1 if request.POST.get("to") == "up" else 1)
    return redirect(f"{reverse('frameworks:list', args=[review.slug])}#framework-{framework.pk}")


@login_required
def framework_delete(request, slug, pk):
    """Its themes go with it; their theories stay, without a theme. The page says so first."""
    review, framework = _get_framework_for_user(request, slug, pk)
    affected = review.theories.filter(theme__framework=framework).only("id", "name", "stage")
    if request.method == "POST":
        with transaction.atomic():
            framework.delete()  # themes go with it; their theories' theme is set to none
        messages.success(request, f"Deleted the framework “{framework.name}”.")
        return redirect("frameworks:list", review.slug)
    return render(request, "programme_theories/framework_delete.html", {
        "review": review, "framework": framework, "affected": affected,
    })


@login_required
@require_POST
def theme_add(request, slug, pk):
    review, framework = _get_framework_for_user(request, slug, pk)
    form = ThemeForm(request.POST, framework=framework)
    if form.is_valid():
        theme = add_theme(form=form, framework=framework)
        messages.success(request, f"Added the theme “{theme.name}” to {framework.name}.")
        return redirect("frameworks:list", review.slug)
    return render(request, "programme_theories/framework_form.html", {
        "review": review, "form": form, "title": f"Add a theme to {framework.name}",
        "submit": "Add theme",
    }, status=400)


@login_required
def theme_edit(request, slug, pk):
    review, theme = _get_theme_for_user(request, slug, pk)
    form = ThemeForm(request.POST or None, instance=theme, framework=theme.framework)
    stale = None
    if request.method == "POST" and form.is_valid():
        stale = save_edit(form, user=request.user)
        if stale is None:
            messages.success(request, f"Saved the theme “{theme.name}”.")
            return redirect("frameworks:list", review.slug)
    return render(request, "programme_theories/framework_form.html", {
        "review": review, "form": form, "title": f"Edit the theme “{theme.name}”",
        "submit": "Save theme", "stale": stale,
    }, status=edit_status(form, stale))


@login_required
@require_POST
def theme_move(request, slug, pk):
    review, theme = _get_theme_for_user(request, slug, pk)
    move_theme(theme=theme, direction=-1 if request.POST.get("to") == "up" else 1)
    return redirect("frameworks:list", review.slug)


@login_required
def theme_delete(request, slug, pk):
    """A theme in use is deleted only after the user chooses where its theories go."""
    review, theme = _get_theme_for_user(request, slug, pk)
    theories = theme.theories.only("id", "name", "stage")
    form = DeleteThemeForm(request.POST or None, theme=theme)
    if request.method == "POST" and form.is_valid():
        move_to = form.cleaned_data["move_to"]
        moved = delete_theme(theme=theme, move_to=move_to)
        where = f"moved to “{move_to.name}”" if move_to else "left without a theme"
        messages.success(request, f"Deleted the theme “{theme.name}”"
                         + (f"; {moved} theor{'y' if moved == 1 else 'ies'} {where}." if moved
                            else "."))
        return redirect("frameworks:list", review.slug)
    return render(request, "programme_theories/theme_delete.html", {
        "review": review, "theme": theme, "theories": theories, "form": form,
    }, status=400 if form.errors else 200)

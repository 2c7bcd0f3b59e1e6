"""Adding, editing and deleting one source by hand."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cmocs.models import EvidenceLink
from evidence.models import SourceDocument
from evidence.source_forms import SourceForm
from ichub.edits import edit_status, save_edit
from ichub.permissions import EDITOR, get_review_for_user


def _get_source_for_user(request, slug, pk):
    review = get_review_for_user(request.user, slug, role=EDITOR)
    return review, get_object_or_404(SourceDocument, review=review, pk=pk)


@login_required
def source_create(request, slug):
    review = get_review_for_user(request.user, slug, role=EDITOR)
    form = SourceForm(request.POST or None, review=review)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            source = form.save(commit=False)
            source.created_by = request.user
            source.save()
        messages.success(request, f"Added {source.short_citation}.")
        return redirect("evidence:detail", review.slug, source.pk)
    return render(request, "evidence/source_form.html", {
        "review": review, "form": form, "title": "Add a source", "submit": "Add source",
    }, status=400 if form.errors else 200)


@login_required
def source_edit(request, slug, pk):
    review, source = _get_source_for_user(request, slug, pk)
    form = SourceForm(request.POST or None, instance=source, review=review)
    stale = None
    if request.method == "POST" and form.is_valid():
        stale = save_edit(form, user=request.user)
        if stale is None:
            messages.success(request, f"Saved {source.short_citation}.")
            return redirect("evidence:detail", review.slug, source.pk)
    return render(request, "evidence/source_form.html", {
        "review": review, "form": form, "source": source, "title": f"Edit {source}",
        "submit": "Save source", "stale": stale,
    }, status=edit_status(form, stale))


@login_required
@require_POST
def source_delete(request, slug, pk):
    """A source whose excerpts are evidence for a CMOC stays: deleting it would lose the link."""
    review, source = _get_source_for_user(request, slug, pk)
    with transaction.atomic():
        used = EvidenceLink.objects.filter(excerpt__source=source).select_related("cmoc")
        codes = sorted({link.cmoc.code for link in used})
        if codes:
            messages.error(request, f"{source.short_citation} is evidence for {', '.join(codes)}: "
                           "unlink its excerpts from those CMOCs first.")
            return redirect("evidence:detail", review.slug, source.pk)
        source._history_user = request.user
        source.delete()
    messages.success(request, f"Deleted {source.short_citation}.")
    return redirect("evidence:list", review.slug)

"""Source pages: the filterable list, one source's detail, and adding an excerpt."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from cmocs.models import EvidenceLink
from evidence.forms import ExcerptForm, SourceFilterForm
from evidence.models import Appraisal, Excerpt, FullText, SourceDocument
from evidence.services import create_excerpt
from ichub.permissions import EDITOR, get_review_for_user, has_role

SOURCES_PER_PAGE = 100


def _get_source_for_user(request, slug, pk, *, role=None):
    review = get_review_for_user(request.user, slug, role=role)
    return review, get_object_or_404(SourceDocument, review=review, pk=pk)


def source_list(request, slug):
    review = get_review_for_user(request.user, slug)
    filters = SourceFilterForm(request.GET or None)
    sources = filters.apply(
        SourceDocument.objects.for_review(review).annotate(n_excerpts=Count("excerpts"))
    ).only("id", "citation_key", "authors", "year", "title", "kind", "inclusion_status",
           "container").order_by("authors", "year", "id")  # Meta.ordering skips GROUP BY
    # A living evidence base holds tens of thousands of sources: a page of them at a time.
    page = Paginator(sources, SOURCES_PER_PAGE).get_page(request.GET.get("page"))
    context = {"review": review, "filters": filters, "page": page,
               "can_edit": has_role(request.user, review, EDITOR)}
    partial = request.htmx and not request.htmx.history_restore_request
    template = "evidence/_source_rows.html" if partial else "evidence/list.html"
    return render(request, template, context)


def source_detail(request, slug, pk):
    review, source = _get_source_for_user(request, slug, pk)
    links = (
        EvidenceLink.objects.shown_with_excerpts(request.user)
        .select_related("cmoc__review")
        .only("id", "excerpt_id", "element", "stance", "provenance", "cmoc__id", "cmoc__code",
              "cmoc__stage", "cmoc__status", "cmoc__review__slug")
    )
    excerpts = source.excerpts.prefetch_related(Prefetch("evidence_links", queryset=links))
    appraisals = Appraisal.objects.filter(source=source).select_related("reviewer", "excerpt")
    return render(request, "evidence/detail.html", {
        "review": review, "source": source, "excerpts": excerpts, "appraisals": appraisals,
        "can_edit": has_role(request.user, review, EDITOR),
        "full_text": FullText.objects.filter(source=source).first(),
    })


@login_required
def excerpt_create(request, slug, pk):
    review, source = _get_source_for_user(request, slug, pk, role=EDITOR)
    form = ExcerptForm(request.POST or None, instance=Excerpt(source=source))
    if request.method == "POST" and form.is_valid():
        excerpt = create_excerpt(
            source=source, user=request.user,
            **{name: form.cleaned_data[name] for name in form.Meta.fields},
        )
        messages.success(request, "Added the excerpt.")
        return redirect(f"{source_url(review, source)}#excerpt-{excerpt.pk}")
    return render(request, "evidence/excerpt_form.html", {
        "review": review, "source": source, "form": form,
    })


def source_url(review, source):
    return reverse("evidence:detail", args=[review.slug, source.pk])

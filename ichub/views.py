"""The hub's pages: the reviews a user can see, one review's dashboard, and search."""

from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe

from cmocs.models import CMOC, EvidenceLink
from cmocs.search import search_cmocs
from evidence.fulltexts.reader import snippet
from evidence.models import Excerpt, FullTextPage, SourceDocument
from evidence.screening.flow import screening_flow
from evidence.search import search_excerpts, search_pages, search_sources
from ichub.models import Review
from ichub.permissions import EDITOR, OWNER, get_review_for_user, has_role, scope_to_visible
from ichub.search import clean_query, first_page
from ichub.svg import flow_svg
from programme_theories.models import ProgrammeTheory

SEARCH_LIMIT = 50
DASHBOARD_CMOCS = 50


def _get_review_for_user(request, slug):
    return get_review_for_user(request.user, slug)


def home(request):
    reviews = (
        Review.objects.visible_to(request.user)
        .annotate(
            n_theories=Count("theories", distinct=True),
            # Dropped, merged and superseded CMOCs are history, not the review's findings.
            n_cmocs=Count("cmocs", filter=Q(cmocs__status="active"), distinct=True),
            n_sources=Count("sources", distinct=True),
            n_included=Count(
                "sources", filter=Q(sources__inclusion_status="included"), distinct=True
            ),
        )
        .order_by("title")
    )
    return render(request, "ichub/home.html", {"reviews": reviews})


def dashboard(request, slug):
    review = _get_review_for_user(request, slug)
    theories = list(
        ProgrammeTheory.objects.for_review(review)
        .select_related("theme__framework")
        .annotate(n_cmocs=Count("cmocs"))
        .only("id", "name", "stage", "statement", "theme__name", "theme__order",
              "theme__framework__name")
    )
    stage_order = [stage for stage, _ in ProgrammeTheory.Stage.choices]
    theories.sort(key=lambda t: (-stage_order.index(t.stage),
                                 t.theme.order if t.theme else 999, t.name))
    # The first CMOCs (refined first), and how many there are: the list page has them all.
    cmocs = CMOC.objects.for_review(review).in_dashboard_order().only(
        "id", "code", "stage", "status", "statement")
    stages = screening_flow(review)
    context = {
        "review": review,
        "can_edit": has_role(request.user, review, EDITOR),
        "can_manage": has_role(request.user, review, OWNER),
        "definitions": review.definitions.all(),
        "theories": theories,
        "cmocs": cmocs[:DASHBOARD_CMOCS],
        "n_cmocs": cmocs.count(),
        "flow": stages,
        # flow_svg escapes every piece of text it draws.
        "flow_svg": mark_safe(flow_svg(stages, title=f"Screening flow: {review.title}")),  # noqa: S308
        "frameworks": review.frameworks.prefetch_related("themes"),
        # Only the related reviews this user may see: a private tester stays invisible.
        "tests_theories_of": review.tests_theories_of.visible_to(request.user).only(
            "slug", "title"),
        "tested_by": review.tested_by.visible_to(request.user).only("slug", "title"),
    }
    return render(request, "ichub/dashboard.html", context)


def flow_download(request, slug):
    review = _get_review_for_user(request, slug)
    svg = flow_svg(screening_flow(review), title=f"Screening flow: {review.title}",
                   standalone=True)
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{review.slug}-flow.svg"'
    return response


def search(request):
    """One box across CMOCs (with their elements), excerpts and sources, grouped by type.

    Each group shows its first page, oldest first, and a count capped at COUNT_CAP
    ("500+"): an exact count of a word in most rows would cost more than the page.
    """
    query = clean_query(request.GET.get("q"))
    results = {"query": query, "cmocs": [], "sources": [], "excerpts": [], "pages": [],
               "counts": {}}
    if query:
        user = request.user
        found = {
            "cmocs": search_cmocs(scope_to_visible(CMOC.objects.all(), user), query)
            .select_related("review")
            .only("id", "code", "stage", "status", "statement", "review__slug", "review__title"),
            "sources": search_sources(scope_to_visible(SourceDocument.objects.all(), user), query)
            .select_related("review")
            .only("id", "authors", "year", "title", "kind", "citation_key", "review__slug",
                  "review__title"),
            "excerpts": search_excerpts(
                scope_to_visible(Excerpt.objects.all(), user, "source__review"), query
            )
            .select_related("source__review")
            .prefetch_related(Prefetch("evidence_links", queryset=_links_with_cmoc(user))),
            "pages": search_pages(
                scope_to_visible(FullTextPage.objects.all(), user, "full_text__source__review"),
                query,
            ).select_related("full_text__source__review"),
        }
        for kind, queryset in found.items():
            results[kind], results["counts"][kind] = first_page(queryset, size=SEARCH_LIMIT)
        for page in results["pages"]:
            page.snippet = snippet(page.text, query)
    partial = request.htmx and not request.htmx.history_restore_request
    template = "ichub/_search_results.html" if partial else "ichub/search.html"
    return render(request, template, results)


def _links_with_cmoc(reader):
    return EvidenceLink.objects.shown_with_excerpts(reader).select_related("cmoc__review").only(
        "id", "excerpt_id", "element", "stance", "provenance", "cmoc__id", "cmoc__code",
        "cmoc__stage", "cmoc__review__slug",
    )

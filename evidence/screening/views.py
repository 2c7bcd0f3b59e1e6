"""Browser pages for team screening: the queue, the conflicts, realist appraisal.

Reading follows the review's visibility; screening and appraising need an
editor, resolving an owner or a third reviewer. All writes go through
evidence.screening.services, so the pages and the API obey the same rules.
"""

import re

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from evidence.models import (
    Appraisal,
    ScreeningDecision,
    ScreeningProtocol,
    ScreeningStage,
    SourceDocument,
)
from evidence.screening.agreement import review_agreement
from evidence.screening.flow import screening_flow
from evidence.screening.forms import AppraisalForm, DecisionForm, ProtocolForm, ResolveForm
from evidence.screening.queue import queue_for, review_conflicts
from evidence.screening.services import (
    configure_screening,
    record_appraisal,
    record_decision,
    resolve_conflict,
    undo_last_decision,
)
from ichub.permissions import EDITOR, OWNER, get_review_for_user, has_role

# The conflicts page lists this many open (and resolved) conflicts a page: a review of
# 100,000 sources can have thousands, and the page must not grow with them.
CONFLICTS_PER_PAGE = 50


def _get_review_for_user(request, slug, *, role=None):
    """The review, 404 if invisible; 403 if the user lacks `role`."""
    return get_review_for_user(request.user, slug, role=role)


def _role_to_post(request):
    """Reading a screening page needs no role; posting to it needs an editor."""
    return EDITOR if request.method == "POST" else None


def _login_first(request):
    return redirect_to_login(request.get_full_path())


def highlight(text, keywords):
    """(segment, is_keyword) pairs, so the template marks keywords without marking text safe."""
    words = sorted({w for w in keywords if w}, key=len, reverse=True)
    if not text or not words:
        return [(text, False)] if text else []
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    segments, last = [], 0
    for match in pattern.finditer(text):
        if match.start() > last:
            segments.append((text[last:match.start()], False))
        segments.append((match.group(), True))
        last = match.end()
    if last < len(text):
        segments.append((text[last:], False))
    return segments


def _apply(form, write):
    """Run a service write; its field errors land on the form. True when it succeeded."""
    try:
        write()
    except ValidationError as error:
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return False
    return True


def queue(request, slug, stage):
    """One source at a time: the next the user has not screened at this stage."""
    if stage not in ScreeningStage.values:
        raise Http404("No such screening stage.")
    if request.method == "POST" and not request.user.is_authenticated:
        return _login_first(request)
    review = _get_review_for_user(request, slug, role=_role_to_post(request))
    form = DecisionForm(request.POST or None, review=review)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ok = _apply(form, lambda: record_decision(
            user=request.user, source=data["source"], stage=stage, decision=data["decision"],
            exclusion_reason=data["exclusion_reason"], note=data["note"], review=review,
        ))
        if ok:
            messages.success(
                request, f"Recorded: {data['decision']} for {data['source'].short_citation}."
            )
            return redirect("screening:queue", slug=review.slug, stage=stage)
    progress = queue_for(review, stage, request.user)
    source = progress.next_source
    if form.errors and "source" not in form.errors:
        source = form.cleaned_data["source"]
    elif request.GET.get("source", "").isdigit():
        source = SourceDocument.objects.filter(review=review, pk=request.GET["source"]).first()
        if source is None:
            raise Http404("No such source in this review.")
    decisions = []
    if source is not None:
        decisions = list(
            ScreeningDecision.objects.current()
            .filter(source=source, stage=stage)
            .visible_to(request.user)
            .select_related("reviewer", "exclusion_reason")
        )
    protocol = ScreeningProtocol.for_review(review)
    reasons = list(review.exclusion_reasons.all())
    context = {
        "review": review,
        "crumb": "Screening",
        "stage": stage,
        "stage_label": ScreeningStage(stage).label,
        "progress": progress,
        "source": source,
        "abstract": highlight(source.abstract, protocol.keyword_list()) if source else [],
        "decisions": decisions,
        "mine": next((d for d in decisions if d.reviewer_id == request.user.pk), None),
        "reasons": reasons,
        "form": form,
        "can_screen": has_role(request.user, review, EDITOR),
    }
    if context["can_screen"]:
        context["last_decision"] = _last_decision(review, stage, request.user)
    return render(request, "screening/queue.html", context, status=400 if form.errors else 200)


def undo(request, slug, stage):
    """Take back the user's last decision at this stage, then show that source again."""
    if stage not in ScreeningStage.values:
        raise Http404("No such screening stage.")
    if not request.user.is_authenticated:
        return _login_first(request)
    review = _get_review_for_user(request, slug, role=EDITOR)
    if request.method != "POST":
        return redirect("screening:queue", slug=review.slug, stage=stage)
    undone = undo_last_decision(user=request.user, review=review, stage=stage)
    if undone is None:
        messages.info(request, "Nothing to undo at this stage.")
        return redirect("screening:queue", slug=review.slug, stage=stage)
    messages.success(request, f"Undone: {undone.get_decision_display().lower()} for "
                              f"{undone.source.short_citation}. Decide it again below.")
    url = reverse("screening:queue", kwargs={"slug": review.slug, "stage": stage})
    return redirect(f"{url}?source={undone.source_id}")


def _last_decision(review, stage, user):
    """The user's latest current decision at this stage: the one Undo takes back."""
    if not user.is_authenticated:
        return None
    return (
        ScreeningDecision.objects.current()
        .filter(source__review=review, stage=stage, reviewer=user)
        .select_related("source")
        .order_by("-decided_at", "-id")
        .first()
    )


def conflicts(request, slug):
    """The review's conflicts, each with a resolution form for those who may resolve it."""
    if request.method == "POST" and not request.user.is_authenticated:
        return _login_first(request)
    review = _get_review_for_user(request, slug, role=_role_to_post(request))
    form = ResolveForm(request.POST or None, review=review)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ok = _apply(form, lambda: resolve_conflict(
            user=request.user, review=review, source=data["source"], stage=data["stage"],
            decision=data["decision"], exclusion_reason=data["exclusion_reason"],
            note=data["note"],
        ))
        if ok:
            messages.success(request, f"Resolved: {data['source'].short_citation}.")
            return redirect("screening:conflicts", slug=review.slug)
    page = _page_number(request)
    open_items = review_conflicts(review, limit=CONFLICTS_PER_PAGE,
                                  offset=(page - 1) * CONFLICTS_PER_PAGE, user=request.user)
    resolved = review_conflicts(review, include_open=False, include_resolved=True,
                                limit=CONFLICTS_PER_PAGE, offset=(page - 1) * CONFLICTS_PER_PAGE)
    pages = max(1, -(-max(open_items.total, resolved.total) // CONFLICTS_PER_PAGE))
    context = {
        "review": review,
        "crumb": "Screening conflicts",
        "open": open_items,
        "resolved": resolved,
        "page": page,
        "previous_page": page - 1 if page > 1 else None,
        "next_page": page + 1 if page < pages else None,
        "reasons": review.exclusion_reasons.all(),
        "form": form,
    }
    return render(request, "screening/conflicts.html", context, status=400 if form.errors else 200)


def _page_number(request):
    """?page=N (from 1); anything else is a 404, like a page past the end."""
    raw = request.GET.get("page", "1")
    if not raw.isdigit() or not 1 <= int(raw) <= 100_000:
        raise Http404("No such page.")
    return int(raw)


def overview(request, slug):
    """Where the review's screening stands: both queues, conflicts, agreement, appraisal."""
    review = _get_review_for_user(request, slug)
    queues = [queue_for(review, stage, request.user) for stage in ScreeningStage.values]
    context = {
        "review": review,
        "crumb": "Screening",
        "queues": queues,
        "n_conflicts": review_conflicts(review, limit=0).total,
        "agreement": review_agreement(review),
        "flow": screening_flow(review),
        "can_screen": has_role(request.user, review, EDITOR),
        "can_manage": has_role(request.user, review, OWNER),
    }
    return render(request, "screening/overview.html", context)


def appraisals(request, slug):
    """Every appraised source with its ratings and the decision they lead to."""
    review = _get_review_for_user(request, slug)
    sources = (
        SourceDocument.objects.filter(review=review, appraisals__isnull=False)
        .distinct()
        .only("id", "review_id", "citation_key", "authors", "year", "title")
        .prefetch_related(
            Prefetch("appraisals", queryset=Appraisal.objects.select_related("reviewer"))
        )
        .order_by("authors", "year", "id")
    )
    rows = [(source, source.appraisal_decision()) for source in sources]
    context = {"review": review, "crumb": "Appraisal", "rows": rows}
    return render(request, "screening/appraisals.html", context)


def appraise(request, slug, source_id):
    """One source's relevance, richness and rigour: everyone's ratings, and a form for yours."""
    if request.method == "POST" and not request.user.is_authenticated:
        return _login_first(request)
    review = _get_review_for_user(request, slug, role=_role_to_post(request))
    source = get_object_or_404(
        SourceDocument.objects.prefetch_related(
            Prefetch("appraisals", queryset=Appraisal.objects.select_related(
                "reviewer", "excerpt"))
        ),
        review=review, pk=source_id,
    )
    form = AppraisalForm(request.POST or None, source=source)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ok = _apply(form, lambda: record_appraisal(
            user=request.user, source=source, review=review, criterion=data["criterion"],
            judgement=data["judgement"], excerpt=data["excerpt"], note=data["note"],
        ))
        if ok:
            messages.success(request, f"Rated {source.short_citation}.")
            return redirect(reverse("screening:appraise", args=[review.slug, source.pk]))
    context = {
        "review": review,
        "crumb": "Appraisal",
        "source": source,
        "verdict": source.appraisal_decision(),
        "ratings": source.appraisals.all(),
        "form": form,
        "can_appraise": has_role(request.user, review, EDITOR),
    }
    return render(request, "screening/appraise.html", context, status=400 if form.errors else 200)


def protocol(request, slug):
    """The owners' screening settings: reviewers required, keywords, exclusion reasons."""
    if not request.user.is_authenticated:
        return _login_first(request)
    review = _get_review_for_user(request, slug, role=OWNER)
    current = ScreeningProtocol.for_review(review)
    form = ProtocolForm(request.POST or None, initial={
        "required_reviewers": current.required_reviewers,
        "keywords": current.keywords,
        "reasons": "\n".join(r.label for r in review.exclusion_reasons.all()),
    })
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ok = _apply(form, lambda: configure_screening(
            user=request.user, review=review, required_reviewers=data["required_reviewers"],
            keywords=data["keywords"], reasons=data["reasons"].splitlines(),
        ))
        if ok:
            messages.success(request, "Screening settings saved.")
            return redirect("screening:overview", slug=review.slug)
    context = {"review": review, "crumb": "Screening settings", "form": form}
    return render(request, "screening/protocol.html", context, status=400 if form.errors else 200)

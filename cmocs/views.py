"""CMOC pages and the curating forms. Every write goes through `cmocs.services`.

Lineage decisions (refine, merge, split, drop) and deleting are in
`cmocs.decision_views`.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django_htmx.http import HttpResponseClientRefresh

from cmocs import services
from cmocs.forms import (
    CMOCCreateForm,
    CMOCEditForm,
    EvidenceLinkForm,
    initial_from,
)
from cmocs.lineage import lineage_graph, review_lineage_graph
from cmocs.models import CMOC, EvidenceLink, LineageEvent
from cmocs.slots import LABELS, SLOTS
from ichub.permissions import EDITOR, get_review_for_user, has_role
from ichub.svg import lineage_svg
from ichub.versioning import StaleVersion
from programme_theories.models import ProgrammeTheory

HISTORY_FIELDS_HIDDEN = {"updated_by", "created_by", "code_key"}
CMOCS_PER_PAGE = 100


def _get_cmoc_for_user(request, slug, pk, *, role=None):
    review = get_review_for_user(request.user, slug, role=role)
    cmoc = get_object_or_404(CMOC.objects.with_elements(), review=review, pk=pk)
    return review, cmoc


def _add_service_errors(form, exc):
    """Attach a service's ValidationError to the form fields it names (else the form)."""
    for name, errors in getattr(exc, "message_dict", {None: exc.messages}).items():
        form.add_error(name if name in form.fields else None, errors)


def _show_inferred(request):
    """ichub's inferred layer is off unless the reader asks for it (?inferred=1)."""
    return request.GET.get("inferred") == "1"


def cmoc_list(request, slug):
    """Every CMOC of the review, refined first, a page at a time (the dashboard shows the
    first few)."""
    review = get_review_for_user(request.user, slug)
    cmocs = CMOC.objects.for_review(review).in_dashboard_order().only(
        "id", "code", "stage", "status", "statement")
    page = Paginator(cmocs, CMOCS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "cmocs/list.html", {
        "review": review, "page": page, "cmocs": page.object_list,
        "can_edit": has_role(request.user, review, EDITOR)})


def cmoc_detail(request, slug, pk):
    review, cmoc = _get_cmoc_for_user(request, slug, pk)
    show_inferred = _show_inferred(request)
    graph = lineage_graph(cmoc, include_inferred=show_inferred)
    by_id = {node.pk: node for node in graph.nodes}
    events = [
        {"event": event,
         "inputs": [by_id[c.pk] for c in event.inputs.all() if c.pk in by_id],
         "outputs": [by_id[c.pk] for c in event.outputs.all() if c.pk in by_id]}
        for event in graph.events
    ]
    return render(request, "cmocs/detail.html", {
        "review": review,
        "cmoc": cmoc,
        "can_edit": has_role(request.user, review, EDITOR),
        "evidence_groups": _evidence_groups(cmoc, request.user),
        # lineage_svg escapes every piece of text it draws.
        "lineage_svg": mark_safe(_lineage_svg(review, graph)),  # noqa: S308
        "events": events,
        "show_inferred": show_inferred,
        "history": _history(cmoc),
        "can_delete": not any(event.kind != LineageEvent.Kind.CREATED for event in graph.events
                              if cmoc.pk in _event_cmoc_ids(event)),
    })


def _event_cmoc_ids(event):
    return {c.pk for c in event.inputs.all()} | {c.pk for c in event.outputs.all()}


def review_lineage(request, slug):
    """Every CMOC of the review and what happened to it, as one graph and as a list."""
    review = get_review_for_user(request.user, slug)
    graph = review_lineage_graph(review, include_inferred=_show_inferred(request))
    by_id = {node.pk: node for node in graph.nodes}
    events = [
        {"event": event,
         "inputs": [by_id[c.pk] for c in event.inputs.all() if c.pk in by_id],
         "outputs": [by_id[c.pk] for c in event.outputs.all() if c.pk in by_id]}
        for event in graph.events if event.kind != LineageEvent.Kind.CREATED
    ]
    return render(request, "cmocs/review_lineage.html", {
        "review": review,
        "graph": graph,
        # lineage_svg escapes every piece of text it draws.
        "lineage_svg": mark_safe(_lineage_svg(review, graph)),  # noqa: S308
        "events": events,
    })


def review_lineage_svg(request, slug):
    review = get_review_for_user(request.user, slug)
    graph = review_lineage_graph(review, include_inferred=_show_inferred(request))
    svg = _lineage_svg(review, graph, standalone=True)
    return HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")


def cmoc_lineage_svg(request, slug, pk):
    review, cmoc = _get_cmoc_for_user(request, slug, pk)
    graph = lineage_graph(cmoc, include_inferred=_show_inferred(request))
    svg = _lineage_svg(review, graph, standalone=True)
    return HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")


def _lineage_svg(review, graph, *, standalone=False):
    return lineage_svg(
        graph,
        url_for=lambda c: reverse("cmocs:detail", args=[review.slug, c.pk]),
        standalone=standalone,
    )


def _evidence_groups(cmoc, reader):
    """The CMOC's evidence by element (in Dalkin order), then by stance: one query."""
    links = list(
        cmoc.evidence_links.shown_with_cmocs(reader).select_related("excerpt__source__review").order_by(
            "excerpt__source__authors", "excerpt__source__year", "id"
        )
    )
    seen_sources = set()
    for link in links:
        # The evidence matrix links to the first excerpt of each source here.
        link.source_anchor = link.excerpt.source_id not in seen_sources
        seen_sources.add(link.excerpt.source_id)
    groups = []
    for element, element_label in EvidenceLink.Element.choices:
        stances = []
        for stance, stance_label in EvidenceLink.Stance.choices:
            chosen = [x for x in links if x.element == element and x.stance == stance]
            if chosen:
                stances.append({"stance": stance, "label": stance_label, "links": chosen})
        if stances:
            groups.append({"element": element, "label": element_label, "stances": stances})
    return groups


def _history(cmoc):
    """Each saved version, newest first, with who, when and which fields changed.

    Element and theory changes are stored as ids; their texts are fetched
    once per kind for the whole history, not once per change.
    """
    records = list(cmoc.history.select_related("history_user").order_by("history_date",
                                                                         "history_id"))
    entries, referenced = [], {}
    for previous, record in zip([None, *records], records, strict=False):
        changes = []
        if previous is not None:
            delta = record.diff_against(previous, excluded_fields=HISTORY_FIELDS_HIDDEN)
            changes = [
                {"field": change.field, "label": CMOC._meta.get_field(change.field).verbose_name,
                 "old": change.old, "new": change.new}
                for change in delta.changes
            ]
            for change in changes:
                if change["field"] in (*LABELS, "theory"):
                    referenced.setdefault(change["field"], set()).update(
                        {change["old"], change["new"]} - {None}
                    )
        entries.append({"record": record, "changes": changes})
    texts = _texts_by_id(referenced)
    for entry in entries:
        for change in entry["changes"]:
            if change["field"] in texts:
                lookup = texts[change["field"]]
                change["old"] = lookup.get(change["old"], change["old"])
                change["new"] = lookup.get(change["new"], change["new"])
    return list(reversed(entries))


def _texts_by_id(referenced):
    """{field: {id: text}} for the ids a history mentions: one query per kind of element."""
    sources = {}
    for slot in SLOTS:
        sources.setdefault(slot.model, []).append(slot.name)
    sources[ProgrammeTheory] = ["theory"]
    texts = {}
    for model, fields in sources.items():
        ids = set().union(*(referenced.get(field, set()) for field in fields))
        if not ids:
            continue
        column = "name" if model is ProgrammeTheory else "text"
        found = dict(model.objects.filter(pk__in=ids).values_list("pk", column))
        texts.update({field: found for field in fields})
    return texts


@login_required
def cmoc_create(request, slug):
    review = get_review_for_user(request.user, slug, role=EDITOR)
    form = CMOCCreateForm(request.POST or None, review=review)
    if request.method == "POST" and form.is_valid():
        try:
            cmoc = services.create_cmoc(
                review=review, user=request.user, stage=form.cleaned_data["stage"],
                **form.cmoc_fields(),
            )
        except ValidationError as exc:
            _add_service_errors(form, exc)
        else:
            messages.success(request, f"Created {cmoc.code}.")
            return redirect("cmocs:detail", review.slug, cmoc.pk)
    return render(request, "cmocs/form.html", {
        "review": review, "form": form, "title": "New CMOC", "submit": "Create CMOC",
    })


@login_required
def cmoc_edit(request, slug, pk):
    review, cmoc = _get_cmoc_for_user(request, slug, pk, role=EDITOR)
    saved = None
    if request.method == "POST":
        form = CMOCEditForm(request.POST, review=review)
        if form.is_valid():
            try:
                services.update_cmoc(
                    cmoc=cmoc, user=request.user,
                    expected_version=form.cleaned_data["version"], **form.cmoc_fields(),
                )
            except StaleVersion:
                saved = CMOC.objects.with_elements().select_related("updated_by").get(pk=cmoc.pk)
                form = _form_over_saved_version(request, saved, review)
            except ValidationError as exc:
                _add_service_errors(form, exc)
            else:
                messages.success(request, f"Saved {cmoc.code}.")
                return redirect("cmocs:detail", review.slug, cmoc.pk)
    else:
        form = CMOCEditForm(review=review, initial={**initial_from(cmoc), "version": cmoc.version})
    return render(request, "cmocs/form.html", {
        "review": review, "cmoc": cmoc, "form": form, "saved": saved,
        "title": f"Edit {cmoc.code}", "submit": "Save CMOC",
    }, status=409 if saved else 200)


def _form_over_saved_version(request, saved, review):
    """The user's own text, now aimed at the saved version so saving again is a choice."""
    data = request.POST.copy()
    data["version"] = saved.version
    form = CMOCEditForm(data, review=review)
    form.is_valid()
    return form


@login_required
def cmoc_link_evidence(request, slug, pk):
    """Link an excerpt: a page of its own, or (with htmx) a form opened inside the CMOC page."""
    review, cmoc = _get_cmoc_for_user(request, slug, pk, role=EDITOR)
    form = EvidenceLinkForm(request.POST or None, review=review)
    if request.htmx:  # htmx focuses it once swapped in, so keyboard users land in the form
        form.fields["excerpt"].widget.attrs["autofocus"] = True
    if request.method == "POST" and form.is_valid():
        try:
            services.link_evidence(cmoc=cmoc, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_service_errors(form, exc)
        else:
            messages.success(request, f"Linked the excerpt to {cmoc}.")
            if request.htmx:  # the form sits in the CMOC page: reload it to show the link
                return HttpResponseClientRefresh()
            return redirect(reverse("cmocs:detail", args=[review.slug, cmoc.pk]) + "#evidence")
    template = "cmocs/_link_evidence.html" if request.htmx else "cmocs/form.html"
    return render(request, template, {
        "review": review, "cmoc": cmoc, "form": form,
        "title": f"Link evidence to {cmoc.code}", "submit": "Link evidence",
    })

"""Full-text pages: upload, the access-checked file, the reader, excerpts from a selection,
and restating excerpts into a new CMOC."""

import bisect

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cmocs import services as cmoc_services
from cmocs.models import EvidenceLink
from evidence.models import Excerpt, ExcerptAnchor, FullText, SourceDocument
from ichub.permissions import EDITOR, get_review_for_user, has_role

from . import anchors as anchoring
from . import reader, services
from .extraction import Refused
from .forms import RestateForm, SelectionForm, UploadForm

ELEMENT_LEGEND = [(e.value, e.label) for e in EvidenceLink.Element] + [("none", "Not linked")]
STANCE_LEGEND = [(s.value, s.label) for s in EvidenceLink.Stance]


def _get_source_for_user(request, slug, pk, *, role=None):
    review = get_review_for_user(request.user, slug, role=role)
    return review, get_object_or_404(SourceDocument, review=review, pk=pk)


def _get_full_text_for_user(request, slug, pk, *, role=None):
    review, source = _get_source_for_user(request, slug, pk, role=role)
    full_text = FullText.objects.filter(source=source).first()
    if full_text is None:
        raise Http404("This source has no full text.")
    return review, source, full_text


def reader_url(review, source, page=None, q=""):
    url = reverse("evidence:fulltext_reader", args=[review.slug, source.pk])
    params = [f"page={page}"] if page else []
    if q:
        from urllib.parse import quote

        params.append(f"q={quote(q)}")
    return f"{url}?{'&'.join(params)}" if params else url


@login_required
def upload(request, slug, pk):
    review, source = _get_source_for_user(request, slug, pk, role=EDITOR)
    form = UploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload_file = form.cleaned_data["file"]
            try:
                data = services.read_upload(upload_file)
                full_text = services.attach_full_text(
                    source=source, data=data, name=upload_file.name, user=request.user)
            except Refused as refusal:
                form.add_error("file", str(refusal))
            else:
                messages.success(request, "Stored the full text; its text is being extracted.")
                return redirect("jobs:detail", pk=full_text.job.pk)
        status = 400
    return render(request, "evidence/fulltexts/upload.html", {
        "review": review, "source": source, "form": form,
        "full_text": FullText.objects.filter(source=source).first(),
    }, status=status)


def download(request, slug, pk):
    """The stored file, to those who may read the review; never run in our origin."""
    _, source, full_text = _get_full_text_for_user(request, slug, pk)
    response = FileResponse(full_text.file.open("rb"), content_type=full_text.content_type,
                            as_attachment=full_text.format != FullText.Format.PDF,
                            filename=full_text.original_name or f"{source.citation_key}")
    # An uploaded HTML file could hold script: sandbox whatever the browser renders.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _marks(page_anchors):
    marks = []
    for anchor in page_anchors:
        links = list(anchor.excerpt.evidence_links.all())
        first = links[0] if links else None
        marks.append(reader.Mark(anchor.excerpt_id, anchor.start, anchor.end,
                                 first.element if first else "none",
                                 first.stance if first else "none"))
    return marks


def reader_page(request, slug, pk):
    review, source, full_text = _get_full_text_for_user(request, slug, pk)
    if not full_text.is_ready:
        return render(request, "evidence/fulltexts/status.html", {
            "review": review, "source": source, "full_text": full_text,
            "job": services.extraction_job(full_text),
            "can_edit": has_role(request.user, review, EDITOR)})
    number = _page_number(request.GET.get("page"), full_text.page_count)
    return _render_reader(request, review, source, full_text, number,
                          SelectionForm(review=review))


def _render_reader(request, review, source, full_text, number, form, status=200):
    page = full_text.pages.get(number=number)
    links = EvidenceLink.objects.select_related("cmoc").only(
        "id", "excerpt_id", "element", "stance", "provenance", "note", "cmoc__id", "cmoc__code")
    all_anchors = list(
        ExcerptAnchor.objects.filter(excerpt__source=source)
        .select_related("excerpt")
        .prefetch_related(Prefetch("excerpt__evidence_links", queryset=links))
        .order_by("orphaned", "start")
    )
    on_page = [a for a in all_anchors
               if not a.orphaned and a.start < page.end and a.end > page.start]
    query = request.GET.get("q", "").strip()[:200]
    segments = reader.segments(page.text, page.start, _marks(on_page), query)
    page_html = (reader.html_page(full_text, page, segments)
                 if full_text.format == FullText.Format.HTML else None)
    return render(request, "evidence/fulltexts/reader.html", {
        "review": review, "source": source, "full_text": full_text,
        "can_edit": has_role(request.user, review, EDITOR),
        "page": page, "number": number,
        "previous": number - 1 if number > 1 else None,
        "next": number + 1 if number < full_text.page_count else None,
        "segments": segments, "page_html": page_html,
        "anchors": all_anchors, "query": query, "form": form,
        "element_legend": ELEMENT_LEGEND, "stance_legend": STANCE_LEGEND,
    }, status=status)


def _page_number(raw, count):
    try:
        return min(max(1, int(raw or 1)), max(1, count))
    except ValueError:
        return 1


@login_required
@require_POST
def excerpt_from_selection(request, slug, pk):
    """One request: the anchored excerpt and, if asked, its evidence link."""
    review, source, full_text = _get_full_text_for_user(request, slug, pk, role=EDITOR)
    number = _page_number(request.POST.get("page"), full_text.page_count)
    form = SelectionForm(request.POST, review=review)
    if form.is_valid():
        data = form.cleaned_data
        try:
            start, end = _offsets(full_text, number, data)
            excerpt = cmoc_services.code_passage(
                full_text=full_text, start=start, end=end, exact=data["exact"],
                user=request.user, kind=data["kind"], link=form.link(),
            )
        except (services.Invalid, ValidationError) as problem:
            form.add_error(None, "; ".join(getattr(problem, "messages", [str(problem)])))
        else:
            messages.success(request, f"Added the excerpt on p. {excerpt.anchor.page}.")
            return redirect(reader_url(review, source, excerpt.anchor.page) +
                            f"#excerpt-{excerpt.pk}")
    if not full_text.is_ready:
        raise Http404("The full text is not extracted yet.")
    return _render_reader(request, review, source, full_text, number, form, status=400)


def _offsets(full_text, number, data):
    """Offsets from the script, or else the first place on the page where the typed quote is."""
    if data.get("start") is not None:
        return data["start"], data["end"]
    page = full_text.pages.get(number=number)
    found = anchoring.locate(page.text, data["exact"])
    if found is None:
        raise services.Invalid(f"The quote is not on page {number} exactly as typed.")
    return page.start + found[0], page.start + found[1]


@login_required
def restate(request, slug):
    """Start a CMOC from several excerpts; their quotes sit beside the fields being written."""
    review = get_review_for_user(request.user, slug, role=EDITOR)
    ids = request.POST.getlist("excerpts") or request.GET.getlist("excerpt")
    chosen = list(Excerpt.objects.for_review(review).filter(pk__in=[
        i for i in ids if str(i).isdigit()]).select_related("source"))
    form = RestateForm(request.POST or None, review=review,
                       initial={"excerpts": [e.pk for e in chosen]})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            cmoc = _restate(review=review, user=request.user, data=data)
        except ValidationError as problem:
            form.add_error(None, problem)
        else:
            messages.success(request, f"Created {cmoc.code} from {len(data['excerpts'])} "
                                      "excerpts.")
            return redirect("cmocs:detail", review.slug, cmoc.pk)
    return render(request, "evidence/fulltexts/restate.html", {
        "review": review, "form": form, "chosen": chosen,
    }, status=400 if form.errors else 200)


def _restate(*, review, user, data):
    return cmoc_services.restate_excerpts(
        review=review, user=user, excerpts=data["excerpts"], code=data["code"],
        statement=data["statement"], context=data["context"],
        mechanism_resource=data["mechanism_resource"],
        mechanism_reasoning=data["mechanism_reasoning"], outcome=data["outcome"],
    )


def page_of(full_text, offset):
    """The page number holding a document offset (for search hits)."""
    starts = list(full_text.pages.order_by("number").values_list("start", flat=True))
    return max(1, bisect.bisect_right(starts, offset))

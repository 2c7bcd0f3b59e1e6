"""Browser pages for REFI-QDA import: upload a .qdpx/.qdc, read the report, map the codes."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import redirect, render

from cmocs.codebook import apply_mapping
from evidence.importers.refiqda.importer import import_qdc, import_qdpx
from evidence.importers.refiqda.safety import Refused
from evidence.models import ImportedCode
from ichub.permissions import EDITOR, get_review_for_user


class QdaUploadForm(forms.Form):
    file = forms.FileField(label="REFI-QDA file", help_text="A project (.qdpx) or a codebook "
                           "(.qdc) exported by NVivo, ATLAS.ti, MAXQDA, QualCoder or ichub.")


def import_file(*, review, upload, user):
    """Import an uploaded .qdpx or .qdc, told apart by content (a zip or an XML codebook)."""
    head = upload.read(4)
    upload.seek(0)
    if head.startswith(b"PK"):
        return import_qdpx(review=review, handle=upload, size=upload.size, user=user)
    from django.conf import settings

    if upload.size > settings.QDPX_MAX_BYTES:
        raise Refused(f"The file is over the {settings.QDPX_MAX_BYTES}-byte limit.")
    return import_qdc(review=review, data=upload.read())


@login_required
def qda_import(request, slug):
    review = get_review_for_user(request.user, slug, role=EDITOR)
    form = QdaUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            report = import_file(review=review, upload=form.cleaned_data["file"],
                                 user=request.user)
        except Refused as refusal:
            form.add_error("file", str(refusal))
        else:
            request.session["qda_report"] = report.as_dict()
            return redirect("sources_import:qda_codes", review.slug)
    return render(request, "evidence/fulltexts/qda_import.html",
                  {"review": review, "form": form}, status=400 if form.errors else 200)


@login_required
def qda_codes(request, slug):
    """The mapping step: each imported code to a CMOC slot, or skipped."""
    review = get_review_for_user(request.user, slug, role=EDITOR)
    codes = list(ImportedCode.objects.filter(review=review).annotate(
        n_excerpts=Count("excerpts")).select_related("parent").order_by("mapping", "id"))
    if request.method == "POST":
        choices = {}
        for code in codes:
            value = request.POST.get(f"code-{code.pk}")
            if value is not None:
                choices[code.pk] = value
        made = apply_mapping(review=review, user=request.user, choices=choices)
        summary = ", ".join(f"{n} {label}" for label, n in sorted(made.items())) or "nothing"
        messages.success(request, f"Mapped {summary}.")
        return redirect("sources_import:qda_codes", review.slug)
    return render(request, "evidence/fulltexts/qda_codes.html", {
        "review": review, "codes": codes, "report": request.session.pop("qda_report", None),
        "mappings": ImportedCode.Mapping.choices[1:],
    })

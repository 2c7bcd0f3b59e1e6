"""Lineage decisions in the browser (refine, merge, split into N, drop) and deleting a CMOC.

A decision takes two posts: the first validates and shows what will happen
(which CMOCs close, which are made, which evidence each takes), the second
(with `confirm`) does it. Errors and "Back to the form" keep all the typing.
Every write goes through `cmocs.services`.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from cmocs import services
from cmocs.decision_forms import DropForm, MergeForm, RefineForm, SplitForm, split_outputs
from cmocs.forms import DeleteForm
from cmocs.views import _add_service_errors, _get_cmoc_for_user
from ichub.permissions import EDITOR, get_review_for_user
from ichub.versioning import StaleVersion


def _decide(request, *, review, form, template_context, preview, perform, valid=None):
    """Validate → show what will happen → on `confirm`, do it; errors keep the form filled."""
    context = {"review": review, "form": form, **template_context}
    is_valid = form.is_valid() if valid is None else valid
    if request.method == "POST" and is_valid and "edit" not in request.POST:
        if "confirm" in request.POST:
            try:
                return perform()
            except ValidationError as exc:
                _add_service_errors(form, exc)
        else:
            return render(request, "cmocs/confirm.html", {**context, **preview()})
    return render(request, "cmocs/decision.html", context)


def _creating(form):
    """A new CMOC for the preview, with the evidence links it will take."""
    new = form.preview()
    new.carried = form.carried()
    return new


@login_required
def cmoc_refine(request, slug, pk):
    review, cmoc = _get_cmoc_for_user(request, slug, pk, role=EDITOR)
    form = RefineForm(request.POST or None, review=review, cmoc=cmoc)

    def perform():
        new = services.refine_cmoc(
            cmoc=cmoc, user=request.user, rationale=form.cleaned_data["rationale"],
            phase=form.cleaned_data["phase"], stage=form.cleaned_data["stage"],
            carry=form.carried(), evidence=form.driving_evidence(), **form.cmoc_fields(),
        )
        messages.success(request, f"Refined {cmoc} into {new}.")
        return redirect("cmocs:detail", review.slug, new.pk)

    return _decide(
        request, review=review, form=form, perform=perform,
        template_context={"cmoc": cmoc, "action": "refine", "title": f"Refine {cmoc.code}"},
        preview=lambda: {"closing": [(cmoc, "superseded")], "creating": [_creating(form)]},
    )


@login_required
def cmoc_merge(request, slug):
    review = get_review_for_user(request.user, slug, role=EDITOR)
    form = MergeForm(request.POST or None, review=review,
                     initial={"inputs": request.GET.getlist("inputs")})

    def perform():
        new = services.merge_cmocs(
            inputs=list(form.cleaned_data["inputs"]), user=request.user,
            rationale=form.cleaned_data["rationale"], phase=form.cleaned_data["phase"],
            stage=form.cleaned_data["stage"], carry=form.carried(),
            evidence=form.driving_evidence(), **form.cmoc_fields(),
        )
        messages.success(request, f"Merged into {new}.")
        return redirect("cmocs:detail", review.slug, new.pk)

    return _decide(
        request, review=review, form=form, perform=perform,
        template_context={"action": "merge", "title": "Merge CMOCs"},
        preview=lambda: {
            "closing": [(c, "merged") for c in form.cleaned_data["inputs"]],
            "creating": [_creating(form)],
        },
    )


@login_required
def cmoc_split(request, slug, pk):
    """Split into two or more outputs, each pre-filled from the original and editable."""
    review, cmoc = _get_cmoc_for_user(request, slug, pk, role=EDITOR)
    adding = "add_output" in request.POST
    form = SplitForm(request.POST or None, review=review, cmoc=cmoc)
    outputs = split_outputs(request.POST if request.method == "POST" else None,
                            review=review, cmoc=cmoc, add=adding)
    valid = not adding and form.is_valid() & outputs.is_valid()

    def specs():
        stage = form.cleaned_data["stage"]
        return [{**output.cmoc_fields(), "stage": stage, "carry": output.carried()}
                for output in outputs.kept_forms()]

    def perform():
        # A refusal names its output ("Output 2: ..."); it shows above the form.
        created = services.split_cmoc(
            cmoc=cmoc, user=request.user, rationale=form.cleaned_data["rationale"],
            phase=form.cleaned_data["phase"], outputs=specs(),
            evidence=form.driving_evidence(),
        )
        messages.success(request, f"Split {cmoc} into {', '.join(map(str, created))}.")
        return redirect("cmocs:detail", review.slug, created[0].pk)

    def preview():
        creating = []
        for output in outputs.kept_forms():
            new = _creating(output)
            new.stage = form.cleaned_data["stage"]
            creating.append(new)
        return {"closing": [(cmoc, "superseded")], "creating": creating}

    return _decide(
        request, review=review, form=form, perform=perform, preview=preview, valid=valid,
        template_context={"cmoc": cmoc, "action": "split", "title": f"Split {cmoc.code}",
                          "outputs": outputs},
    )


@login_required
def cmoc_drop(request, slug, pk):
    review, cmoc = _get_cmoc_for_user(request, slug, pk, role=EDITOR)
    form = DropForm(request.POST or None, review=review, cmoc=cmoc)

    def perform():
        services.drop_cmoc(cmoc=cmoc, user=request.user,
                           rationale=form.cleaned_data["rationale"],
                           phase=form.cleaned_data["phase"], evidence=form.driving_evidence())
        messages.success(request, f"Dropped {cmoc}.")
        return redirect("cmocs:detail", review.slug, cmoc.pk)

    return _decide(
        request, review=review, form=form, perform=perform,
        template_context={"cmoc": cmoc, "action": "drop", "title": f"Drop {cmoc.code}"},
        preview=lambda: {"closing": [(cmoc, "dropped")], "creating": []},
    )


@login_required
def cmoc_delete(request, slug, pk):
    """Delete a CMOC made by mistake, after a confirmation page; one with lineage is refused."""
    review, cmoc = _get_cmoc_for_user(request, slug, pk, role=EDITOR)
    form = DeleteForm(request.POST or None, initial={"version": cmoc.version})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.delete_cmoc(cmoc=cmoc, user=request.user,
                                 expected_version=form.cleaned_data["version"])
        except StaleVersion as exc:
            form = DeleteForm({"version": exc.current_version})  # the version now saved
            form.is_valid()
            form.add_error(None, f"{cmoc.code} changed since you opened this page: "
                                 "read it again before deleting it.")
            status = 409
        except ValidationError as exc:
            _add_service_errors(form, exc)
            status = 409
        else:
            messages.success(request, f"Deleted {cmoc.code}.")
            return redirect("hub:dashboard", review.slug)
    return render(request, "cmocs/delete.html", {
        "review": review, "cmoc": cmoc, "form": form, "title": f"Delete {cmoc.code}",
        "deletable": cmoc.has_no_lineage(),
    }, status=status)


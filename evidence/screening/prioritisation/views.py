"""Pages for prioritisation: the owners' settings and simulation, and the ranking log."""

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from evidence.models import PrioritisationSettings, Ranking
from ichub.jobs.models import Job
from ichub.permissions import EDITOR, OWNER, get_review_for_user, has_role
from ichub.versioning import StaleVersion

from .services import configure_prioritisation, request_simulation, schedule_retrain

LOG_PAGE = 100
SIMULATION_JOB = "screening.simulate"  # the kind of evidence.tasks.simulate_review_screening


def _get_review_for_user(request, slug, *, role=None):
    """The review, 404 if invisible; 403 if the user lacks `role`."""
    return get_review_for_user(request.user, slug, role=role)


class PrioritisationForm(forms.Form):
    enabled = forms.BooleanField(
        required=False, label="Offer likely-relevant records first (title/abstract screening)")
    exploration_percent = forms.IntegerField(
        min_value=0, max_value=50, label="Exploration slice (%)",
        help_text="Share of the queue offered by the rule below instead of by relevance.")
    exploration_mode = forms.ChoiceField(
        choices=PrioritisationSettings.ExplorationMode.choices, widget=forms.RadioSelect)
    # The version the owner edited: a save over someone else's newer one is refused.
    version = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)


def settings_page(request, slug):
    """Owners turn ranking on or off, set the exploration slice and run the simulation."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    review = _get_review_for_user(request, slug, role=OWNER)
    current = PrioritisationSettings.for_review(review)
    form = PrioritisationForm(request.POST or None, initial={
        "enabled": current.enabled,
        "exploration_percent": current.exploration_percent,
        "exploration_mode": current.exploration_mode,
        "version": current.version,
    })
    if request.method == "POST" and request.POST.get("action") == "simulate":
        job = request_simulation(review=review, user=request.user)
        return redirect("jobs:detail", pk=job.pk)
    stale = False
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        try:
            configure_prioritisation(review=review, user=request.user,
                                     expected_version=values.pop("version"), **values)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except StaleVersion:
            stale = True
            data = request.POST.copy()
            data["version"] = current.version  # saving again is now a choice over theirs
            form = PrioritisationForm(data)
            form.is_valid()
            form.add_error(None, "Someone changed these settings since you opened the page "
                                 "(now: " + _described(current) + "). Save again to replace "
                                 "them with yours.")
        else:
            messages.success(request, "Prioritisation settings saved.")
            return redirect("screening:prioritisation", slug=review.slug)
    simulation = current.last_simulation or None
    if simulation:
        simulation = {key.replace("@", "_at_"): value for key, value in simulation.items()}
    running = Job.objects.filter(review=review, kind=SIMULATION_JOB,
                                 status__in=Job.ACTIVE).order_by("-pk").first()
    context = {"review": review, "crumb": "Prioritisation", "form": form,
               "simulation": simulation, "running_simulation": running}
    return render(request, "screening/prioritisation.html", context,
                  status=409 if stale else 400 if form.errors else 200)


def _described(settings):
    state = "on" if settings.enabled else "off"
    return f"{state}, {settings.exploration_percent}% {settings.exploration_mode}"


def _rankings_for_user(request, review):
    """Owners see every reviewer's rankings (they see every decision anyway); other
    members only their own, so the log stays as blind as the queue."""
    rankings = Ranking.objects.filter(review=review).select_related("reviewer").defer(
        "order", "reasons")
    if has_role(request.user, review, OWNER):
        return rankings
    if not request.user.is_authenticated:
        return rankings.none()
    return rankings.filter(reviewer=request.user)


@require_POST
def retrain(request, slug):
    """A screener asks for a new ranking of their own queue (after a failed training, say).

    The task still applies the usual rule: if the last ready ranking holds for the
    decisions made since, it is kept and served, and nothing is trained.
    """
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    review = _get_review_for_user(request, slug, role=EDITOR)
    if schedule_retrain(review=review, reviewer=request.user) is None:
        return HttpResponseBadRequest("Prioritisation is off for this review: there is no "
                                      "ranking to retrain.")
    messages.success(request, "A new ranking of your queue was requested.")
    return redirect("screening:rankings", slug=review.slug)


def ranking_log(request, slug):
    """Every ranking served: model, settings, seed, what it learnt from, when."""
    review = _get_review_for_user(request, slug)
    rankings = _rankings_for_user(request, review)
    if request.GET.get("format") == "json":
        return JsonResponse({"review": review.slug, "rankings": [
            {"id": r.pk, "reviewer": r.reviewer.get_username(), "status": r.status,
             "model": r.model, "settings": r.settings, "seed": r.seed,
             "trained_on": r.trained_on, "requested_at": r.requested_at,
             "trained_at": r.trained_at, "first_served_at": r.first_served_at,
             "seconds": r.seconds, "error": r.error}
            for r in rankings.order_by("requested_at", "id")
        ]})
    latest = rankings.filter(reviewer=request.user).first() if (
        request.user.is_authenticated) else None
    context = {"review": review, "crumb": "Ranking log", "rankings": rankings[:LOG_PAGE],
               "page_size": LOG_PAGE, "latest_failed": latest is not None and
               latest.status == Ranking.Status.FAILED,
               "can_retrain": PrioritisationSettings.for_review(review).enabled
               and has_role(request.user, review, EDITOR)}
    return render(request, "screening/ranking_log.html", context)

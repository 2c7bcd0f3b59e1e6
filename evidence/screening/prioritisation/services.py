"""The ranked queue in the database: what a reviewer's model learns from, training, serving.

Training runs in a background task (evidence.tasks.retrain_ranking), never
in the request that records a decision: the queue serves the last ready
ranking and says when it was made.
"""

import time
from dataclasses import dataclass, field

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Prefetch
from django.utils import timezone

from evidence.models import (
    PrioritisationSettings,
    Ranking,
    ScreeningDecision,
    ScreeningProtocol,
    ScreeningResolution,
    ScreeningStage,
    SourceDocument,
)
from evidence.screening.tallies import waiting_among
from ichub.jobs.services import start_job
from ichub.models import Membership
from ichub.versioning import StaleVersion

from .engine import (
    Model,
    Settings,
    can_train,
    features,
    queue_order,
    retrain_due,
    step_rng,
    text_of,
)
from .simulation import Dataset, simulate

SEED = 0
EXPLAINED = 200  # reasons are kept for the top of the order, where reviewers look
TA = ScreeningStage.TITLE_ABSTRACT


def engine_settings(prioritisation):
    return Settings(
        exploration=prioritisation.exploration_percent / 100,
        exploration_mode=prioritisation.exploration_mode,
    )


def _title_abstract_sources(review):
    return (
        SourceDocument.objects.filter(review=review)
        .only("id", "review_id", "title", "abstract", "keywords", "inclusion_status")
        .order_by("id")
        .prefetch_related(
            Prefetch("screening_decisions", queryset=ScreeningDecision.objects.current()),
            Prefetch("screening_resolutions", queryset=ScreeningResolution.objects.all()),
        )
    )


def visible_labels(review, reviewer=None):
    """The title/abstract queue's sources and the labels a reviewer's model may learn from.

    Settled and resolved sources count for everyone (their decisions are
    visible to all). A reviewer's own current include or exclude counts for
    that reviewer alone; other reviewers' pending decisions never do, so the
    ranking cannot reveal them. 'Maybe' teaches nothing. With reviewer=None,
    only settled and resolved sources are labelled (the owners' simulation).
    """
    required = ScreeningProtocol.for_review(review).required_reviewers
    sources, labels = [], {}
    for source in _title_abstract_sources(review):
        status = source.screening_status(TA, required)
        if not (status.decisions or status.resolution
                or source.inclusion_status == SourceDocument.Inclusion.PENDING):
            continue
        sources.append(source)
        if status.is_final:
            labels[source.pk] = int(status.decision == ScreeningDecision.Decision.INCLUDE)
            continue
        own = next((d for d in status.decisions
                    if reviewer is not None and d.reviewer_id == reviewer.pk), None)
        if own is not None and own.decision != ScreeningDecision.Decision.MAYBE:
            labels[source.pk] = int(own.decision == ScreeningDecision.Decision.INCLUDE)
    return sources, labels


def schedule_retrain(*, review, reviewer):
    """Ask for a new ranking for this reviewer once the current transaction commits.

    Every request gets its own row; a task that finds a newer request for
    the same reviewer leaves the work to it, so a burst of decisions costs
    one training when the worker is behind.
    """
    from evidence.tasks import retrain_ranking

    if not PrioritisationSettings.for_review(review).enabled:
        return None
    ranking = Ranking.objects.create(review=review, reviewer=reviewer)
    transaction.on_commit(lambda: retrain_ranking.enqueue(ranking.pk))
    return ranking


def schedule_for_screeners(review):
    """A new ranking for everyone who screens this review (after a resolution or a setting)."""
    screeners = Membership.objects.filter(
        review=review, role__in=[Membership.Role.OWNER, Membership.Role.EDITOR]
    ).select_related("user")
    return [schedule_retrain(review=review, reviewer=m.user) for m in screeners]


def train(ranking):
    """Train the ranking's model on what its reviewer may see and store the order it serves."""
    if Ranking.objects.filter(review=ranking.review_id, reviewer=ranking.reviewer_id,
                              status=Ranking.Status.TRAINING, pk__gt=ranking.pk).exists():
        ranking.delete()  # a newer request covers these decisions and more
        return None
    started = time.perf_counter()
    prioritisation = PrioritisationSettings.for_review(ranking.review)
    settings = engine_settings(prioritisation)
    sources, labels = visible_labels(ranking.review, ranking.reviewer)
    if not can_train(labels.values()):
        ranking.delete()  # nothing to learn from yet: the queue keeps its plain order
        return None
    if not _stale(Ranking.objects.latest_ready(ranking.review, ranking.reviewer), sources,
                  labels, settings):
        ranking.delete()  # the last ranking still holds (engine.retrain_due): serve it
        return None
    ids = np.array([s.pk for s in sources])
    matrix, vocabulary = features([text_of(s.title, s.abstract, s.keywords) for s in sources],
                                  settings)
    is_labelled = np.array([pk in labels for pk in ids])
    y = np.array([labels[pk] for pk in ids[is_labelled]])
    model = Model(settings, SEED).fit(matrix[is_labelled], y)
    pool = np.flatnonzero(~is_labelled)
    scores = model.scores(matrix[pool]) if len(pool) else np.array([])
    order = pool[queue_order(scores, settings, step_rng(SEED, len(y)))]
    top = order[:EXPLAINED]
    reasons = model.explain(matrix, top, vocabulary)
    ranking.model = settings.model_name
    ranking.settings = settings.as_dict()
    ranking.seed = SEED
    ranking.trained_on = [[int(pk), labels[pk]] for pk in ids[is_labelled]]
    ranking.n_included = int(y.sum())
    ranking.n_excluded = int(len(y) - y.sum())
    ranking.order = [int(ids[i]) for i in order]
    ranking.reasons = {str(int(ids[i])): r for i, r in zip(top, reasons, strict=True)}
    ranking.likely_relevant_unseen = int((scores > 0).sum())
    ranking.status = Ranking.Status.READY
    ranking.trained_at = timezone.now()
    ranking.seconds = round(time.perf_counter() - started, 3)
    ranking.save()
    return ranking


def _stale(last, sources, labels, settings):
    """Whether the reviewer's last ranking must be replaced: the simulation's rule, plus
    any change of settings or of the sources themselves (added ones are not in its order)."""
    if last is None or last.settings != settings.as_dict():
        return True
    trained_on = dict(last.trained_on)
    known = set(trained_on) | set(last.order)
    if any(source.pk not in known for source in sources):
        return True
    changed = sum(trained_on.get(pk) != label for pk, label in labels.items())
    changed += sum(pk not in labels for pk in trained_on)
    return retrain_due(len(labels), changed, settings)


@dataclass
class RankedQueue:
    """What the queue page says about its order when prioritisation is on."""

    ranking: Ranking | None = None
    training: bool = False
    note: str = ""
    reason: list = field(default_factory=list)
    since_last_include: int = 0
    likely_relevant_unseen: int | None = None

    @property
    def since_last_include_capped(self):
        """The count stopped at SINCE_LAST_INCLUDE_CAP: there may be more."""
        return self.since_last_include >= SINCE_LAST_INCLUDE_CAP


# The ranking's order is walked this many ids at a time, each step one query asking
# which of them still wait; the first step nearly always finds one, as a ranking
# orders the sources that were unscreened when it was trained.
RANKED_STEP = 500


def first_ranked(review, user, plain_first):
    """The first waiting source id in the order of the user's last ranking, and what to say.

    `plain_first` is the first waiting source in plain (id) order, or None when
    nothing waits. Sources the ranking does not know (added since) come after
    the ranked ones, in plain order. The order is walked RANKED_STEP ids at a
    time rather than all waiting ids sorted by it, so the page costs the same
    at 100 and 100,000 sources (BENCHMARKS.md, scenario 9).
    Returns (plain_first, None) when the review does not prioritise.
    """
    if not PrioritisationSettings.for_review(review).enabled:
        return plain_first, None
    info = RankedQueue()
    if not user.is_authenticated:
        info.note = "Plain order: rankings are per reviewer; sign in to see yours."
        return plain_first, info
    info.since_last_include = _since_last_include(review, user)
    info.training = Ranking.objects.filter(
        review=review, reviewer=user, status=Ranking.Status.TRAINING).exists()
    ranking = Ranking.objects.defer("trained_on").latest_ready(review, user)
    if ranking is None:
        info.note = (
            "Plain order: the first ranking is being trained." if info.training else
            "Plain order: ranking starts once you have at least one include and one exclude "
            "(your own decisions or settled ones)."
        )
        return plain_first, info
    first = _first_waiting_in_order(review, user, ranking.order) if plain_first else None
    first = plain_first if first is None else first
    if ranking.first_served_at is None:
        ranking.first_served_at = timezone.now()
        Ranking.objects.filter(pk=ranking.pk, first_served_at=None).update(
            first_served_at=ranking.first_served_at)
    info.ranking = ranking
    info.reason = ranking.reasons.get(str(first), []) if first else []
    info.likely_relevant_unseen = ranking.likely_relevant_unseen
    return first, info


def _first_waiting_in_order(review, user, order):
    for start in range(0, len(order), RANKED_STEP):
        step = order[start:start + RANKED_STEP]
        waiting = waiting_among(review, TA, user, step)
        if waiting:
            return next(pk for pk in step if pk in waiting)
    return None


# "Screened since your last include" counts back at most this far: a stopping aid needs no
# more, and the count then costs the same however long the streak or the review.
SINCE_LAST_INCLUDE_CAP = 1000


def _since_last_include(review, user):
    """How many records the user has screened since their last include (a stopping aid).

    One query: the user's latest current decisions, newest first, at most
    SINCE_LAST_INCLUDE_CAP of them (index screening_decision_latest); those
    before the first include are counted. A value of SINCE_LAST_INCLUDE_CAP
    means "at least that many" (the page says so).
    """
    latest = (ScreeningDecision.objects.current()
              .filter(source__review=review, stage=TA, reviewer=user)
              .order_by("-decided_at", "-id")
              .values_list("decision", flat=True)[:SINCE_LAST_INCLUDE_CAP])
    count = 0
    for decision in latest:
        if decision == ScreeningDecision.Decision.INCLUDE:
            break
        count += 1
    return count


def simulate_review(review, *, seed=SEED, on_progress=None):
    """What prioritisation would have saved on this review's settled title/abstract decisions.

    `on_progress(found, to_find)` as in simulation.screening_order (the job's progress bar).
    """
    sources, labels = visible_labels(review)
    labelled = [s for s in sources if s.pk in labels]
    settings = engine_settings(PrioritisationSettings.for_review(review))
    values = [labels[s.pk] for s in labelled]
    if sum(values) < 2 or len(values) - sum(values) < 2:
        return {"error": "The simulation needs at least two settled includes and two settled "
                         "excludes at title/abstract screening.",
                "records": len(values), "relevant": sum(values)}
    dataset = Dataset([text_of(s.title, s.abstract, s.keywords) for s in labelled],
                      np.array(values, dtype=int))
    report = simulate(dataset, prior_included=1, prior_excluded=1, seed=seed, settings=settings,
                      on_progress=on_progress)
    report.update(seed=seed, settings=settings.as_dict(), model=settings.model_name,
                  simulated_at=timezone.now().isoformat())
    return report


@transaction.atomic
def configure_prioritisation(*, review, enabled, exploration_percent, exploration_mode,
                             user=None, expected_version=None):
    """Turn ranking on or off and set the exploration slice (owners, checked by the caller).

    `expected_version` is the version the caller edited (the API's If-Match):
    if someone saved since, StaleVersion and nothing changes. The check and
    the bump are one conditional UPDATE, so of two concurrent edits exactly
    one wins. Turning it on ranks at once the queues of everyone who screens.
    """
    if not 0 <= exploration_percent <= 50:
        raise ValidationError({"exploration_percent": "Choose a share between 0 and 50%."})
    if exploration_mode not in PrioritisationSettings.ExplorationMode.values:
        raise ValidationError({"exploration_mode": f"Unknown mode {exploration_mode!r}."})
    # A row at version 0 (the defaults) to lock; bulk_create writes no history entry.
    PrioritisationSettings.objects.bulk_create([PrioritisationSettings(review=review)],
                                               ignore_conflicts=True)
    settings = PrioritisationSettings.objects.select_for_update().get(review=review)
    expected = settings.version if expected_version is None else expected_version
    if not PrioritisationSettings.objects.filter(pk=settings.pk, version=expected).update(
            version=F("version") + 1):
        raise StaleVersion(settings.version)
    settings.version = expected + 1
    settings.enabled = enabled
    settings.exploration_percent = exploration_percent
    settings.exploration_mode = exploration_mode
    settings.updated_by = user if user is not None and user.is_authenticated else None
    settings.save()
    if enabled:
        schedule_for_screeners(review)
    return settings


def request_simulation(*, review, user):
    """A simulation on the review's settled decisions, run as a job with progress (owners:
    see the view); the job."""
    from evidence.tasks import simulate_review_screening

    return start_job(task=simulate_review_screening, owner=user, review=review)

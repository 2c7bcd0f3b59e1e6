"""Background work of the evidence app (Django's Tasks API through django-tasks)."""

from django.utils import timezone
from django_tasks import task

from evidence.models import PrioritisationSettings, Ranking
from evidence.screening.prioritisation import services as prioritisation
from ichub.models import Review


@task()
def retrain_ranking(ranking_id):
    """Train one requested ranking of a reviewer's title/abstract queue."""
    ranking = Ranking.objects.filter(pk=ranking_id, status=Ranking.Status.TRAINING).first()
    if ranking is None:
        return None
    try:
        trained = prioritisation.train(ranking)
    except Exception as error:  # the queue must keep working: log it on the row, then re-raise
        Ranking.objects.filter(pk=ranking_id).update(
            status=Ranking.Status.FAILED, error=repr(error)[:2000], trained_at=timezone.now())
        raise
    return trained.pk if trained else None


@task()
def simulate_review_screening(review_id):
    """The owners' simulation on their review's settled decisions, stored on its settings."""
    review = Review.objects.get(pk=review_id)
    report = prioritisation.simulate_review(review)
    settings, _ = PrioritisationSettings.objects.get_or_create(review=review)
    settings.last_simulation = report
    settings.save(update_fields=["last_simulation"])
    return report

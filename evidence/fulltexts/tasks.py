"""Full-text extraction as a background task (Django's Tasks API via django-tasks)."""

from django_tasks import task


@task()
def extract_full_text(full_text_id: int) -> str:
    from .services import run_extraction

    return run_extraction(full_text_id)

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from evidence.fulltexts import services
from evidence.models import SourceDocument

from .pdfs import STUDY_PAGES, text_pdf


@pytest.fixture(autouse=True)
def _media_and_tasks(settings, tmp_path):
    """Files in a temporary MEDIA_ROOT; extraction runs inside enqueue() (the task's own
    queueing is issue 15's to test)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def commits(django_capture_on_commit_callbacks):
    """Run what was queued for after commit: the test's own transaction never commits."""
    return django_capture_on_commit_callbacks


@pytest.fixture
def source(review):
    return SourceDocument.objects.create(
        review=review, citation_key="smith2021", authors="Smith, J. and Jones, K.", year=2021,
        title="Leadership across organisations", inclusion_status="included",
    )


@pytest.fixture
def study_pdf():
    return text_pdf(STUDY_PAGES)


@pytest.fixture
def attached(source, study_pdf, editor, django_capture_on_commit_callbacks):
    """The source with the study PDF attached and extracted."""
    with django_capture_on_commit_callbacks(execute=True):
        services.attach_full_text(source=source, data=study_pdf, name="study.pdf", user=editor)
    return source.full_text.__class__.objects.get(source=source)


def upload(name, data, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)

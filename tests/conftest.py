"""Fixtures shared by the whole suite: users in every role, reviews, clients.

They combine: `review` is a private review owned by `owner`, with `editor` and
`viewer` members; `outsider` belongs to no review; `staff` is an admin.
"""

import os
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from rest_framework.test import APIClient

from accounts.models import APIToken
from evidence.models import ExclusionReason, SourceDocument
from ichub.models import Membership, Review

ICS_SLUG = "ics-leadership-rapid-realist-review-2024"
CASE_STUDY_SLUG = "ics-leadership-case-study-2025"
PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """Real hashing costs ~0.2 s a user; tests create many users and test no crypto."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploads a job waits on are stored files: keep each test's in its own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _no_api_throttling(monkeypatch):
    """Throttling has its own tests (tests/security); elsewhere request counts must not matter.

    DRF reads the rates once at import, so the settings fixture cannot change them.
    """
    from collections import defaultdict

    from rest_framework.throttling import SimpleRateThrottle

    unlimited = defaultdict(lambda: None)  # a rate of None lets every request through
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", unlimited)


def make_user(username, **extra):
    return get_user_model().objects.create_user(username=username, password=PASSWORD, **extra)


@pytest.fixture
def owner(db):
    return make_user("olivia_owner")


@pytest.fixture
def editor(db):
    return make_user("eddie_editor")


@pytest.fixture
def viewer(db):
    return make_user("vera_viewer")


@pytest.fixture
def outsider(db):
    return make_user("otto_outsider")


@pytest.fixture
def staff(db):
    return make_user("stella_staff", is_staff=True, is_superuser=True)


@pytest.fixture
def review(db, owner, editor, viewer):
    review = Review.objects.create(
        slug="test-review",
        title="A private test review",
        question="What works, for whom, in what circumstances, and why?",
        visibility=Review.Visibility.PRIVATE,
    )
    Membership.objects.create(review=review, user=owner, role=Membership.Role.OWNER)
    Membership.objects.create(review=review, user=editor, role=Membership.Role.EDITOR)
    Membership.objects.create(review=review, user=viewer, role=Membership.Role.VIEWER)
    return review


@pytest.fixture
def other_review(db, outsider):
    """A review the `outsider` owns, so they are the 'owner of another review'."""
    other = Review.objects.create(
        slug="other-review", title="Someone else's review", visibility=Review.Visibility.PRIVATE
    )
    Membership.objects.create(review=other, user=outsider, role=Membership.Role.OWNER)
    return other


@pytest.fixture
def shipped(db):
    """Both shipped reviews, loaded exactly as `make run` loads them."""
    call_command("load_shipped_reviews", verbosity=0)
    return Review.objects.get(slug=ICS_SLUG)


@pytest.fixture
def ics_review(shipped):
    return shipped


@pytest.fixture(scope="module")
def _shipped_for_module(django_db_setup, django_db_blocker):
    """Both shipped reviews, loaded once for a whole test module and rolled back after it.

    Loading them costs seconds (hundreds of natural-key lookups), so read-mostly modules
    share one load. Each test still runs in its own savepoint inside this transaction
    (pytest-django's `db`), so one test's writes never reach the next.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_shipped_reviews", verbosity=0)
        try:
            yield
        finally:
            transaction.set_rollback(True)


@pytest.fixture
def shipped_module(_shipped_for_module, db):
    """Like `shipped`, but the load is shared by the module's tests (see above)."""
    return Review.objects.get(slug=ICS_SLUG)


def token_client_for(user):
    client = APIClient()
    if user is not None:
        _, key = APIToken.issue(user=user, name="test client")
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def token_client():
    """Call with a user (or None for anonymous) to get an API client authenticated by token."""
    return token_client_for


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    """One headless Debian Chromium for every browser test in the run.

    Playwright's sync API runs an event loop in the test thread for as long as
    it is open, and a second one cannot start beside it, so all browser tests
    share this one. While it runs, Django would refuse ORM calls in the thread
    unless told the loop is deliberate.
    """
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing: install Debian's chromium package (.ci/run does)."
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# Screening: a second and third editor (two reviewers screen independently), a batch, reasons.


@pytest.fixture
def editor2(review):
    user = make_user("edna_editor")
    Membership.objects.create(review=review, user=user, role=Membership.Role.EDITOR)
    return user


@pytest.fixture
def editor3(review):
    user = make_user("ezra_editor")
    Membership.objects.create(review=review, user=user, role=Membership.Role.EDITOR)
    return user


@pytest.fixture
def batch(review):
    """Ten imported sources awaiting title/abstract screening."""
    return [
        SourceDocument.objects.create(
            review=review,
            citation_key=f"author{2010 + i}",
            authors=f"Author{i}, A.",
            year=2010 + i,
            title=f"Leadership in integrated care, study {i}",
            abstract=f"Abstract {i}: system leadership and trust across partners.",
        )
        for i in range(10)
    ]


@pytest.fixture
def reasons(review):
    return [
        ExclusionReason.objects.create(review=review, label="Not about system leaders", order=1),
        ExclusionReason.objects.create(review=review, label="Not empirical", order=2),
    ]


@pytest.fixture
def ranking_corpus(review):
    """30 sources in id order; every 6th is about the review's topic (`.relevant` says which)."""
    from tests.evidence.screening.prioritisation.labelled import rows

    sources = []
    for record in rows(30):
        sources.append(SourceDocument.objects.create(
            review=review, citation_key=f"rec{record['record_id']}", title=record["title"],
            abstract=record["abstract"], authors="Someone, A.", year=2020,
        ))
        sources[-1].relevant = bool(record["label_included"])
    return sources


@pytest.fixture
def prioritised(review):
    """The review ranks its title/abstract queue."""
    from evidence.models import PrioritisationSettings

    return PrioritisationSettings.objects.create(review=review, enabled=True)


@pytest.fixture
def failed_ranking(editor, ranking_corpus, prioritised):
    """The editor has an include and an exclude, and their only ranking failed."""
    from evidence.models import Ranking
    from evidence.screening.services import record_decision
    from tests.evidence.screening.prioritisation.labelled import irrelevant, relevant

    record_decision(user=editor, source=irrelevant(ranking_corpus)[0], stage="title_abstract",
                    decision="exclude")
    record_decision(user=editor, source=relevant(ranking_corpus)[0], stage="title_abstract",
                    decision="include")
    Ranking.objects.filter(review=prioritised.review).delete()
    return Ranking.objects.create(review=prioritised.review, reviewer=editor,
                                  status=Ranking.Status.FAILED, error="MemoryError")


@pytest.fixture
def immediate_tasks(settings):
    """Tasks run inside enqueue(), whatever backend the settings name (tests of results)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks, immediate_tasks):
    """Run what a block schedules on commit (a test's transaction never commits), tasks too."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
@pytest.fixture
def run_worker(monkeypatch, settings):
    """Run the configured backend's real worker in this process until the queue is empty.

    Database backend: django-tasks-db's db_worker. It closes "obsolete"
    connections between tasks, and a connection inside the test's transaction
    looks obsolete (autocommit is off): on PostgreSQL that would end the test's
    transaction. In-process, the test's connection is the worker's, so that
    housekeeping is left out.

    RQ (REDIS_URL set, as in .ci/run's RQ pass): RQ enqueues on commit, which a
    test's transaction never reaches, so the pending enqueues run first; then an
    RQ SimpleWorker (the job in this process, on the test's connection) works
    the queue in burst mode, with django-tasks-rq's job class as `manage.py
    worker` runs it.
    """
    if settings.TASK_BACKEND == "rq":
        return _rq_worker()
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )

    def run():
        call_command(
            "db_worker", batch=True, reload=False, startup_delay=False, interval=0, verbosity=0
        )

    return run


def _rq_worker():
    import signal

    import django_rq
    from django.db import connection
    from django_tasks_rq import Job as TaskJob
    from rq import SimpleWorker

    queue = django_rq.get_queue("default", job_class=TaskJob)
    queue.empty()  # what earlier tests left (their rows were rolled back)

    def run():
        pending, connection.run_on_commit = connection.run_on_commit, []
        for _, enqueue, _ in pending:
            enqueue()
        handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            SimpleWorker([queue], connection=queue.connection, job_class=TaskJob).work(
                burst=True, with_scheduler=False, logging_level="WARNING"
            )
        finally:
            for sig, handler in handlers.items():
                signal.signal(sig, handler)

    return run

"""`make backup` then `make restore` into a fresh database gives back every review, exactly.

Runs the real scripts against real databases in subprocesses: on the SQLite
half of CI, files; on the PostgreSQL half, fresh databases on the same server
(pg_dump -Fc / pg_restore). Proof of "nothing lost": both shipped reviews'
whole-review exports are byte-identical after the round trip, and the restored
database takes new rows with ids past the old ones (sequences intact).
"""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

from tests.conftest import CASE_STUDY_SLUG, ICS_SLUG

ROOT = Path(__file__).resolve().parents[2]
NEW_CMOC = """
from django.contrib.auth import get_user_model
from cmocs import services
from cmocs.models import CMOC
from ichub.models import Review
before = CMOC.objects.order_by("-id").values_list("id", flat=True).first()
user = get_user_model().objects.create_user("after_restore")
cmoc = services.create_cmoc(review=Review.objects.get(slug=SLUG), user=user, code="CMOC 99",
                            statement="Written after the restore.")
print("NEW", before, cmoc.pk, CMOC.objects.filter(code="CMOC 99").count())
""".replace("SLUG", repr(ICS_SLUG))


def run(*args, url):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env["DATABASE_URL"] = url
    result = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def export(url, slug, path):
    run("manage.py", "export_review", slug, "-o", str(path), url=url)
    return path.read_bytes()


@pytest.fixture
def fresh_database_url(tmp_path):
    """A factory of empty databases of the kind the suite runs on."""
    created = []

    def make():
        if not settings.IS_POSTGRES:
            return f"sqlite:///{tmp_path / f'{uuid.uuid4().hex}.sqlite3'}"
        name = f"ichub_backup_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        return os.environ["DATABASE_URL"].rsplit("/", 1)[0] + f"/{name}"

    yield make
    if created:
        with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as admin:
            for name in created:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_it_restores_a_backup_into_a_fresh_database_identically_and_keeps_sequences(
    fresh_database_url, tmp_path
):
    original, restored = fresh_database_url(), fresh_database_url()
    run("manage.py", "migrate", "--noinput", "-v0", url=original)
    run("manage.py", "load_shipped_reviews", url=original)
    backup = tmp_path / "ichub.backup"

    run("scripts/backup.py", "backup", str(backup), url=original)
    if not settings.IS_POSTGRES:
        Path(restored.removeprefix("sqlite:///")).touch()  # an empty, fresh file
    run("scripts/backup.py", "restore", str(backup), url=restored)

    for slug in (ICS_SLUG, CASE_STUDY_SLUG):
        before = export(original, slug, tmp_path / f"{slug}-before.json")
        after = export(restored, slug, tmp_path / f"{slug}-after.json")
        assert len(before) > 10_000
        assert after == before, slug
    output = run("manage.py", "shell", "-c", NEW_CMOC, url=restored)
    [line] = [line for line in output.splitlines() if line.startswith("NEW ")]
    last_id, new_id, written = line.split()[1:]
    assert int(new_id) > int(last_id)
    assert written == "1"


def test_it_refuses_to_restore_from_a_missing_file(tmp_path):
    result = subprocess.run(
        [sys.executable, "scripts/backup.py", "restore", str(tmp_path / "nope.backup")],
        cwd=ROOT, env={**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"},
        capture_output=True, text=True, timeout=60,
    )

    assert result.returncode != 0
    assert "no such file" in result.stderr

import pytest


@pytest.fixture(autouse=True)
def _report_every_step(monkeypatch):
    """Jobs here run in milliseconds: let every report write (and look for a cancel)."""
    monkeypatch.setattr("ichub.jobs.runner.PROGRESS_INTERVAL", 0)

"""Prioritisation on the pages: the queue's reason and aids, the owners' settings and simulation,
the ranking log, and who may do what."""

import pytest
from django.urls import reverse

from evidence.models import PrioritisationSettings, Ranking, ScreeningProtocol
from evidence.screening.services import record_decision
from ichub.jobs.models import Job
from tests.evidence.screening.prioritisation.labelled import irrelevant, relevant

TA = "title_abstract"


def url(name, slug="test-review"):
    return reverse(f"screening:{name}", args=[slug])


def queue_url():
    return reverse("screening:queue", args=["test-review", TA])


def test_it_shows_the_reason_the_ranking_time_and_the_stopping_aids(
        client, run_on_commit, editor, ranking_corpus, prioritised):
    client.force_login(editor)
    with run_on_commit():
        client.post(queue_url(), {"source": ranking_corpus[0].pk, "decision": "exclude"})
    html = client.get(queue_url()).content.decode()
    assert "at least one include and one exclude" in html
    with run_on_commit():
        response = client.post(queue_url(), {"source": relevant(ranking_corpus)[0].pk,
                                             "decision": "include"})
    assert response.status_code == 302
    html = client.get(queue_url()).content.decode()
    ranking = Ranking.objects.get(status=Ranking.Status.READY)
    assert "Likely-relevant first: your ranking of" in html
    assert 'id="rank-reason"' in html and "<mark>" in html
    assert "Screened since your last include: 0" in html and "queue screened: 7%" in html
    # The source offered is the ranking's first, and the keyboard form screens it.
    assert f'name="source" value="{ranking.order[0]}"' in html
    assert 'data-key="i"' in html


def test_it_leaves_the_queue_page_as_it_was_when_off(client, editor, ranking_corpus):
    client.force_login(editor)
    html = client.get(queue_url()).content.decode()
    assert 'id="queue-order"' not in html
    assert f'name="source" value="{ranking_corpus[0].pk}"' in html


def test_it_lets_owners_turn_prioritisation_on_and_keeps_the_change(
        client, run_on_commit, owner, editor, ranking_corpus):
    with run_on_commit():
        record_decision(user=editor, source=irrelevant(ranking_corpus)[0], stage=TA,
                        decision="exclude")
        record_decision(user=editor, source=relevant(ranking_corpus)[0], stage=TA,
                        decision="include")
    client.force_login(owner)
    assert client.get(url("prioritisation")).status_code == 200
    with run_on_commit():
        response = client.post(url("prioritisation"), {
            "enabled": "on", "exploration_percent": "10", "exploration_mode": "uncertain"})
    assert response.status_code == 302
    settings = PrioritisationSettings.objects.get()
    assert settings.enabled and settings.exploration_percent == 10
    assert settings.history.count() == 1
    # Turning it on ranks the queues of those who already screened.
    ranking = Ranking.objects.latest_ready(ranking_corpus[0].review, editor)
    assert ranking.settings["exploration"] == 0.1
    assert ranking.settings["exploration_mode"] == "uncertain"


def test_it_names_the_model_the_queue_ranks_with(client, owner, review):
    client.force_login(owner)
    page = client.get(url("prioritisation")).content.decode()
    assert "ASReview LAB's default model, ELAS u4" in page


def test_it_refuses_a_save_over_someone_elses_newer_settings(client, owner, review):
    client.force_login(owner)
    assert 'name="version" value="0"' in client.get(url("prioritisation")).content.decode()
    data = {"enabled": "on", "exploration_percent": "10", "exploration_mode": "random",
            "version": "0"}
    assert client.post(url("prioritisation"), data).status_code == 302
    # A second tab still holding version 0.
    response = client.post(url("prioritisation"), {**data, "exploration_percent": "30"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone changed these settings" in html and 'name="version" value="1"' in html
    assert PrioritisationSettings.objects.get().exploration_percent == 10
    response = client.post(url("prioritisation"), {**data, "exploration_percent": "30",
                                                   "version": "1"})
    assert response.status_code == 302
    assert PrioritisationSettings.objects.get().exploration_percent == 30


def test_it_refuses_an_exploration_share_out_of_range(client, owner, ranking_corpus):
    client.force_login(owner)
    response = client.post(url("prioritisation"), {
        "enabled": "on", "exploration_percent": "80", "exploration_mode": "random"})
    assert response.status_code == 400
    assert "less than or equal to 50" in response.content.decode()
    assert not PrioritisationSettings.objects.exists()


@pytest.mark.parametrize("who, status", [
    ("editor", 403), ("viewer", 403), ("outsider", 404), (None, 302)])
def test_it_lets_only_owners_change_the_setting_or_run_the_simulation(
        client, request, ranking_corpus, who, status):
    if who:
        client.force_login(request.getfixturevalue(who))
    for data in ({"enabled": "on", "exploration_percent": "5", "exploration_mode": "random"},
                 {"action": "simulate"}):
        assert client.post(url("prioritisation"), data).status_code == status
    assert not PrioritisationSettings.objects.exists()
    assert not Job.objects.exists()


def test_it_runs_the_owners_simulation_on_settled_decisions(
        client, run_on_commit, owner, editor, ranking_corpus):
    ScreeningProtocol.objects.create(review=ranking_corpus[0].review, required_reviewers=1)
    client.force_login(owner)
    with run_on_commit():
        client.post(url("prioritisation"), {"action": "simulate"})
    assert "two settled includes" in client.get(url("prioritisation")).content.decode()
    with run_on_commit():
        for source in ranking_corpus:
            record_decision(user=editor, source=source, stage=TA,
                            decision="include" if source.relevant else "exclude")
        client.post(url("prioritisation"), {"action": "simulate"})
    report = PrioritisationSettings.objects.get().last_simulation
    assert report["records"] == 30 and report["relevant"] == 5
    assert report["wss@95"] > 0.3
    html = client.get(url("prioritisation")).content.decode()
    assert "WSS@95" in html and str(report["wss@95"]) in html


def test_it_runs_the_owners_simulation_as_a_job_with_progress(
        client, run_worker, owner, editor, ranking_corpus):
    ScreeningProtocol.objects.create(review=ranking_corpus[0].review, required_reviewers=1)
    for source in ranking_corpus:
        record_decision(user=editor, source=source, stage=TA,
                        decision="include" if source.relevant else "exclude")
    client.force_login(owner)
    response = client.post(url("prioritisation"), {"action": "simulate"})
    job = Job.objects.get(kind="screening.simulate")
    assert response.status_code == 302 and response.url == reverse("jobs:detail", args=[job.pk])
    assert job.status == Job.Status.QUEUED and job.owner == owner
    html = client.get(url("prioritisation")).content.decode()
    assert "A simulation is queued" in html and reverse("jobs:detail", args=[job.pk]) in html
    run_worker()
    job.refresh_from_db()
    # Progress counts relevant records found: 5 relevant, 1 of them a prior.
    assert (job.status, job.progress_done, job.progress_total) == (Job.Status.SUCCEEDED, 4, 4)
    assert job.result["wss@95"] == PrioritisationSettings.objects.get().last_simulation["wss@95"]
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "<progress" in page and 'value="100"' in page and "WSS@95" in page
    assert "A simulation is" not in client.get(url("prioritisation")).content.decode()


def test_it_fails_the_simulation_job_with_the_reason_when_too_little_is_settled(
        client, run_worker, owner, ranking_corpus):
    client.force_login(owner)
    client.post(url("prioritisation"), {"action": "simulate"})
    job = Job.objects.get(kind="screening.simulate")
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "two settled includes" in job.error
    assert "two settled includes" in client.get(url("prioritisation")).content.decode()


def test_it_shows_each_member_only_their_own_rankings_and_owners_all(
        client, run_on_commit, owner, editor, editor2, viewer, ranking_corpus, prioritised):
    for user in (editor, editor2):
        with run_on_commit():
            record_decision(user=user, source=irrelevant(ranking_corpus)[0], stage=TA,
                            decision="exclude")
            record_decision(user=user, source=relevant(ranking_corpus)[0], stage=TA,
                            decision="include")
    client.force_login(editor)
    html = client.get(url("rankings")).content.decode()
    assert "eddie_editor" in html and "edna_editor" not in html
    client.force_login(viewer)
    assert "No rankings yet" in client.get(url("rankings")).content.decode()
    client.force_login(owner)
    html = client.get(url("rankings")).content.decode()
    assert "eddie_editor" in html and "edna_editor" in html
    log = client.get(url("rankings"), {"format": "json"}).json()["rankings"]
    assert {r["reviewer"] for r in log} == {"eddie_editor", "edna_editor"}
    assert all(r["trained_on"] and r["settings"] and r["trained_at"] for r in log)
    client.force_login(editor)
    log = client.get(url("rankings"), {"format": "json"}).json()["rankings"]
    assert {r["reviewer"] for r in log} == {"eddie_editor"}


def test_it_shows_settings_and_the_ranking_log_in_the_admin_read_only(
        client, run_on_commit, staff, editor, ranking_corpus, prioritised):
    with run_on_commit():
        record_decision(user=editor, source=irrelevant(ranking_corpus)[0], stage=TA,
                        decision="exclude")
        record_decision(user=editor, source=relevant(ranking_corpus)[0], stage=TA,
                        decision="include")
    ranking = Ranking.objects.get(status=Ranking.Status.READY)
    client.force_login(staff)
    settings_page = reverse("admin:evidence_prioritisationsettings_change",
                            args=[prioritised.pk])
    assert client.get(settings_page).status_code == 200
    page = client.get(reverse("admin:evidence_ranking_change", args=[ranking.pk]))
    assert page.status_code == 200 and "eddie_editor" in page.content.decode()
    assert client.get(reverse("admin:evidence_ranking_add")).status_code == 403
    before = ranking.order
    client.post(reverse("admin:evidence_ranking_change", args=[ranking.pk]), {"order": "[]"})
    ranking.refresh_from_db()
    assert ranking.order == before

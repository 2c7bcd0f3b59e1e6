"""The RAMESES quality standards as a self-assessment the review team fills in."""

import pytest

from ichub.models import QualityRating, Review
from reports.quality import EVALUATION_STANDARDS, SYNTHESIS_STANDARDS, standards_for
from tests.web.conftest import READ_STATUS, ROLES, WRITE_STATUS, post

pytestmark = pytest.mark.django_db


def _url(review):
    return f"/reviews/{review.slug}/reports/quality/"


def _ratings(**by_number):
    data = {}
    for standard in SYNTHESIS_STANDARDS:
        rating, note = by_number.get(f"s{standard.number}", ("", ""))
        data[f"rating-{standard.key}"] = rating
        data[f"note-{standard.key}"] = note
    return data


def test_it_offers_the_eight_standards_that_fit_the_method(review):
    assert standards_for(review) == SYNTHESIS_STANDARDS
    review.method = Review.Method.REALIST_EVALUATION
    assert standards_for(review) == EVALUATION_STANDARDS
    assert len(SYNTHESIS_STANDARDS) == len(EVALUATION_STANDARDS) == 8
    assert SYNTHESIS_STANDARDS[0].name == "The research problem"


@pytest.mark.parametrize("role", ROLES)
def test_it_lets_editors_rate_and_readers_only_read(client_for, review, role, user_in_role):
    client = client_for(user_in_role(role))
    assert client.get(_url(review)).status_code == READ_STATUS[role]
    response = post(client, _url(review), _ratings(s1=("good", "Question stated up front.")))
    expected = 302 if WRITE_STATUS[role] == 200 else WRITE_STATUS[role]
    assert response.status_code == expected
    if expected == 302 and role != "anonymous":
        rating = QualityRating.objects.get(review=review, standard="synthesis-1")
        assert (rating.rating, rating.note) == ("good", "Question stated up front.")
        assert rating.history.count() == 1
    else:
        assert not QualityRating.objects.exists()


def test_it_refuses_a_rating_outside_the_scale_and_saves_nothing(client_for, review, editor):
    client = client_for(editor)
    response = post(client, _url(review), _ratings(s1=("good", "ok"), s2=("superb", "")))
    assert response.status_code == 400
    assert "Rate it inadequate, adequate, good, excellent" in response.content.decode()
    assert not QualityRating.objects.exists()


def test_it_downloads_the_teams_ratings_beside_the_report(client_for, review, editor):
    client = client_for(editor)
    post(client, _url(review), _ratings(s8=("adequate", "Follows the checklist.")))
    response = client.get(f"/reviews/{review.slug}/reports/downloads/rameses-quality.csv")
    body = b"".join(response).decode("utf-8-sig")
    assert response.status_code == 200
    assert "8,Reporting,Adequate,Follows the checklist." in body
    page = client.get(_url(review)).content.decode()
    assert "Follows the checklist." in page


def test_it_refuses_a_stale_rating_and_keeps_the_first_editors_words(client_for, review, editor,
                                                                    owner):
    first, second = client_for(editor), client_for(owner)
    versions = {f"version-{s.key}": "0" for s in SYNTHESIS_STANDARDS}
    assert post(first, _url(review), {**_ratings(s1=("good", "First.")), **versions}
                ).status_code == 302
    # The owner's page was opened before that save: every version it holds is 0.
    response = post(second, _url(review), {**_ratings(s1=("adequate", "Second.")), **versions})
    assert response.status_code == 412
    assert "Someone saved changes here" in response.content.decode()
    rating = QualityRating.objects.get(review=review, standard="synthesis-1")
    assert (rating.rating, rating.note, rating.version) == ("good", "First.", 1)
    assert rating.history.count() == 1


def test_it_marks_the_standard_names_it_could_not_check(client_for, review, viewer):
    checked = [s.key for s in SYNTHESIS_STANDARDS + EVALUATION_STANDARDS if s.check == "checked"]
    assert checked == ["synthesis-1"]
    page = client_for(viewer).get(_url(review)).content.decode()
    assert page.count("Name not checked against the publication") == 7

"""Staff delete a screened review or source in the admin; the derived screening rows go with it."""

import pytest
from django.urls import reverse

from evidence.models import ScreeningState, SourceDocument
from evidence.screening.services import record_decision
from ichub.models import Review

pytestmark = pytest.mark.django_db
TA = "title_abstract"


@pytest.fixture
def screened(review, editor, batch):
    record_decision(user=editor, source=batch[0], stage=TA, decision="include")
    record_decision(user=editor, source=batch[1], stage=TA, decision="exclude")
    assert ScreeningState.objects.filter(review=review).count() == 2
    return batch


def test_it_deletes_a_screened_review_and_its_screening_states(client, staff, review, screened):
    client.force_login(staff)
    url = reverse("admin:ichub_review_delete", args=[review.pk])

    confirm = client.get(url)
    response = client.post(url, {"post": "yes"})

    assert confirm.status_code == 200 and b"Are you sure" in confirm.content
    assert response.status_code == 302
    assert not Review.objects.filter(pk=review.pk).exists()
    assert not ScreeningState.objects.exists()


def test_it_deletes_a_screened_source_and_its_screening_state(client, staff, review, screened):
    client.force_login(staff)

    response = client.post(
        reverse("admin:evidence_sourcedocument_delete", args=[screened[0].pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not SourceDocument.objects.filter(pk=screened[0].pk).exists()
    assert list(ScreeningState.objects.values_list("source", flat=True)) == [screened[1].pk]


def test_it_refuses_to_delete_a_screening_state_on_its_own(client, staff, review, screened):
    client.force_login(staff)
    state = ScreeningState.objects.first()
    url = reverse("admin:evidence_screeningstate_delete", args=[state.pk])

    page = client.get(reverse("admin:evidence_screeningstate_change", args=[state.pk]))
    response = client.post(url, {"post": "yes"})

    assert response.status_code == 403
    assert url not in page.content.decode()
    assert ScreeningState.objects.filter(pk=state.pk).exists()

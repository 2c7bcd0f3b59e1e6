"""Screening pages, mounted at /reviews/<slug>/screening/."""

from django.urls import path

from evidence.screening import views
from evidence.screening.prioritisation import views as prioritisation_views

app_name = "screening"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("conflicts/", views.conflicts, name="conflicts"),
    path("settings/", views.protocol, name="protocol"),
    path("appraisal/", views.appraisals, name="appraisals"),
    path("appraisal/<int:source_id>/", views.appraise, name="appraise"),
    path("prioritisation/", prioritisation_views.settings_page, name="prioritisation"),
    path("rankings/", prioritisation_views.ranking_log, name="rankings"),
    path("rankings/retrain/", prioritisation_views.retrain, name="retrain"),
    path("<slug:stage>/", views.queue, name="queue"),
    path("<slug:stage>/undo/", views.undo, name="undo"),
]

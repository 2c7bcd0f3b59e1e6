"""Screening pages, mounted at /reviews/<slug>/screening/."""

from django.urls import path

from evidence.screening import views

app_name = "screening"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("conflicts/", views.conflicts, name="conflicts"),
    path("settings/", views.protocol, name="protocol"),
    path("appraisal/", views.appraisals, name="appraisals"),
    path("appraisal/<int:source_id>/", views.appraise, name="appraise"),
    path("<slug:stage>/", views.queue, name="queue"),
]

from django.urls import path

from ichub.jobs import views

app_name = "jobs"

urlpatterns = [
    path("jobs/<int:pk>/", views.job_detail, name="detail"),
    path("jobs/<int:pk>/file", views.job_file, name="file"),
    path("jobs/<int:pk>/cancel", views.job_cancel, name="cancel"),
    path("reviews/<slug:slug>/jobs/", views.review_jobs, name="review_jobs"),
]

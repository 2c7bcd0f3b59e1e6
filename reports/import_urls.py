"""The whole-review import page, mounted at /reviews/import/ before the review's own pages."""

from django.urls import path

from reports import views

app_name = "review_import"

urlpatterns = [path("", views.review_import, name="import")]

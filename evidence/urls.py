from django.urls import include, path

from evidence import source_views, views
from evidence.fulltexts import views as fulltext_views

app_name = "evidence"

urlpatterns = [
    path("", views.source_list, name="list"),
    path("new/", source_views.source_create, name="create"),
    path("<int:pk>/", views.source_detail, name="detail"),
    path("<int:pk>/edit/", source_views.source_edit, name="edit"),
    path("<int:pk>/delete/", source_views.source_delete, name="delete"),
    path("<int:pk>/excerpts/new/", views.excerpt_create, name="excerpt_create"),
    path("<int:pk>/full-text/", include("evidence.fulltexts.urls")),
    path("restate/", fulltext_views.restate, name="restate"),
]

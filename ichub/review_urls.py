from django.urls import path

from ichub import review_views as views

app_name = "reviews"

# Mounted at /reviews/, before the review's own pages, so "new" is not read as a slug.
urlpatterns = [
    path("new/", views.review_new, name="new"),
    path("<slug:slug>/settings/", views.review_settings, name="settings"),
    path("<slug:slug>/delete/", views.review_delete, name="delete"),
    path("<slug:slug>/definitions/", views.definitions, name="definitions"),
    path("<slug:slug>/definitions/<int:pk>/edit/", views.definition_edit, name="definition_edit"),
    path("<slug:slug>/definitions/<int:pk>/move/", views.definition_move, name="definition_move"),
    path("<slug:slug>/definitions/<int:pk>/delete/", views.definition_delete,
         name="definition_delete"),
]

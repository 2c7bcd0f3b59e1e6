from django.urls import path

from programme_theories import theory_views, views

app_name = "theories"

urlpatterns = [
    path("theories/new/", theory_views.theory_new, name="new"),
    path("theories/<int:pk>/", views.theory_detail, name="detail"),
    path("theories/<int:pk>/revise/", theory_views.theory_revise, name="revise"),
    path("theories/<int:pk>/delete/", theory_views.theory_delete, name="delete"),
    path("theories/<int:pk>/edit/", views.theory_edit, name="edit"),
]

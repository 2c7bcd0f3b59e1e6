from django.urls import path

from programme_theories import views

app_name = "theories"

urlpatterns = [
    path("theories/<int:pk>/", views.theory_detail, name="detail"),
    path("theories/<int:pk>/edit/", views.theory_edit, name="edit"),
]

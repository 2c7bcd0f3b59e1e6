from django.urls import path

from programme_theories import framework_views as views

app_name = "frameworks"

# Mounted at /reviews/<slug>/frameworks/.
urlpatterns = [
    path("", views.frameworks, name="list"),
    path("<int:pk>/edit/", views.framework_edit, name="edit"),
    path("<int:pk>/move/", views.framework_move, name="move"),
    path("<int:pk>/delete/", views.framework_delete, name="delete"),
    path("<int:pk>/themes/", views.theme_add, name="theme_add"),
    path("themes/<int:pk>/edit/", views.theme_edit, name="theme_edit"),
    path("themes/<int:pk>/move/", views.theme_move, name="theme_move"),
    path("themes/<int:pk>/delete/", views.theme_delete, name="theme_delete"),
]

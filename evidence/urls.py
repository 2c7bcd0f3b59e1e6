from django.urls import path

from evidence import views

app_name = "evidence"

urlpatterns = [
    path("", views.source_list, name="list"),
    path("<int:pk>/", views.source_detail, name="detail"),
    path("<int:pk>/excerpts/new/", views.excerpt_create, name="excerpt_create"),
]

from django.urls import path

from ichub import views

app_name = "hub"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("reviews/<slug:slug>/", views.dashboard, name="dashboard"),
    path("reviews/<slug:slug>/flow.svg", views.flow_download, name="flow_svg"),
]

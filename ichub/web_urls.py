from django.urls import path

from ichub import views

app_name = "hub"

urlpatterns = [
    path("", views.home, name="home"),
]

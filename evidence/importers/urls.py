from django.urls import path

from evidence.importers import views as import_views

app_name = "sources_import"

urlpatterns = [
    path("", import_views.source_import, name="import"),
]

from django.urls import path

from evidence.importers import views as import_views
from evidence.importers.refiqda import views as qda_views

app_name = "sources_import"

urlpatterns = [
    path("", import_views.source_import, name="import"),
    path("qdpx/", qda_views.qda_import, name="qda"),
    path("codes/", qda_views.qda_codes, name="qda_codes"),
]

from django.urls import path

from programme_theories import report_views

app_name = "reports"

urlpatterns = [
    path("rameses/", report_views.rameses_page, name="rameses"),
    path("downloads/<str:name>", report_views.download, name="download"),
    path("export.json", report_views.export, name="export"),
]

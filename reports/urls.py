"""Report pages, mounted at /reviews/<slug>/."""

from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("reports/rameses/", views.rameses_page, name="rameses"),
    path("reports/rameses/documents/", views.rameses_documents, name="rameses_documents"),
    path("reports/rameses/findings/", views.rameses_findings, name="rameses_findings"),
    path("reports/quality/", views.quality, name="quality"),
    path("reports/checklist/", views.checklist, name="checklist"),
    path("reports/downloads/<str:name>", views.download, name="download"),
    path("reports/export.json", views.export, name="export"),
    path("reports/export/", views.export_job, name="export_job"),
    path("reports/export/archive/", views.export_archive_job, name="export_archive_job"),
    path("reports/files/<str:name>", views.file_job, name="file_job"),
    path("matrix/", views.matrix, name="matrix"),
    path("matrix.csv", views.matrix_download, {"fmt": "csv"}, name="matrix_csv"),
    path("matrix.xlsx", views.matrix_download, {"fmt": "xlsx"}, name="matrix_xlsx"),
]

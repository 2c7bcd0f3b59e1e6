from django.urls import path

from . import views

# Included by evidence.urls under <int:pk>/full-text/ (names keep the "evidence:" namespace).
urlpatterns = [
    path("", views.reader_page, name="fulltext_reader"),
    path("upload/", views.upload, name="fulltext_upload"),
    path("file/", views.download, name="fulltext_file"),
    path("excerpts/", views.excerpt_from_selection, name="fulltext_excerpt"),
]

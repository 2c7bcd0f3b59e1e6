from django.urls import path

from cmocs import views

app_name = "cmocs"

urlpatterns = [
    path("new/", views.cmoc_create, name="create"),
    path("merge/", views.cmoc_merge, name="merge"),
    path("<int:pk>/", views.cmoc_detail, name="detail"),
    path("<int:pk>/edit/", views.cmoc_edit, name="edit"),
    path("<int:pk>/evidence/", views.cmoc_link_evidence, name="link_evidence"),
    path("<int:pk>/refine/", views.cmoc_refine, name="refine"),
    path("<int:pk>/split/", views.cmoc_split, name="split"),
    path("<int:pk>/drop/", views.cmoc_drop, name="drop"),
    path("<int:pk>/lineage.svg", views.cmoc_lineage_svg, name="lineage_svg"),
]

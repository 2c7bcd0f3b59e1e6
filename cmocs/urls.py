from django.urls import path

from cmocs import decision_views, views

app_name = "cmocs"

urlpatterns = [
    path("", views.cmoc_list, name="list"),
    path("new/", views.cmoc_create, name="create"),
    path("merge/", decision_views.cmoc_merge, name="merge"),
    path("<int:pk>/", views.cmoc_detail, name="detail"),
    path("<int:pk>/edit/", views.cmoc_edit, name="edit"),
    path("<int:pk>/evidence/", views.cmoc_link_evidence, name="link_evidence"),
    path("<int:pk>/refine/", decision_views.cmoc_refine, name="refine"),
    path("<int:pk>/split/", decision_views.cmoc_split, name="split"),
    path("<int:pk>/drop/", decision_views.cmoc_drop, name="drop"),
    path("<int:pk>/delete/", decision_views.cmoc_delete, name="delete"),
    path("lineage/", views.review_lineage, name="review_lineage"),
    path("lineage.svg", views.review_lineage_svg, name="review_lineage_svg"),
    path("<int:pk>/lineage.svg", views.cmoc_lineage_svg, name="lineage_svg"),
]

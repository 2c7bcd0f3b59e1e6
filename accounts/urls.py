from django.urls import path

from accounts import member_views, views

app_name = "accounts"

# Mounted at /accounts/ beside Django's own login, logout and password views.
urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("", views.account, name="account"),
    path("tokens/", views.token_create, name="token_create"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("tokens/<int:pk>/rotate/", views.token_rotate, name="token_rotate"),
    path("invitations/<int:pk>/accept/", views.invitation_accept, name="invitation_accept"),
    path("invitations/<str:key>/", views.invitation, name="invitation"),
]

# Mounted at /reviews/<slug>/members/ as the "members" namespace.
member_urlpatterns = ([
    path("", member_views.members, name="list"),
    path("<int:user_id>/role/", member_views.member_role, name="role"),
    path("<int:user_id>/remove/", member_views.member_remove, name="remove"),
    path("invitations/<int:pk>/cancel/", member_views.invitation_cancel,
         name="cancel_invitation"),
], "members")

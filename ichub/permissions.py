"""Who may see and change what, in one place for the API and the browser.

Reads: anyone may read a public review; only members (and staff) a private
one, and to everyone else a private review does not exist (404, not 403).
Writes: editors and owners. Membership changes: owners. Staff: everything.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import permissions

from ichub.models import Review


def visible_reviews(user):
    return Review.objects.visible_to(user)


def scope_to_visible(queryset, user, review_path="review"):
    """Rows of `queryset` whose review (reached through `review_path`) the user may read."""
    if user.is_authenticated and user.is_staff:
        return queryset
    return queryset.filter(**{f"{review_path}__in": visible_reviews(user).values("pk")})


def get_review_for_user(user, slug, *, write=False, manage=False):
    """The review with this slug, or 404 if the user may not see it.

    With write=True, a reader who may not edit gets PermissionDenied (403):
    they can see the review exists, so hiding it would only confuse.
    """
    review = visible_reviews(user).filter(slug=slug).first()
    if review is None:
        raise Http404("No such review.")
    require_role(user, review, write=write, manage=manage)
    return review


def require_role(user, review, *, write=False, manage=False):
    if manage and not review.can_manage(user):
        raise PermissionDenied("Only the review's owners may do this.")
    if write and not review.can_edit(user):
        raise PermissionDenied("Only the review's editors and owners may change it.")


def review_of(obj):
    """The review an object belongs to, following the model's path to it."""
    for path in ("review", "source.review", "cmoc.review", "framework.review"):
        target = obj
        try:
            for attr in path.split("."):
                target = getattr(target, attr)
        except AttributeError:
            continue
        if isinstance(target, Review):
            return target
    if isinstance(obj, Review):
        return obj
    raise TypeError(f"{type(obj).__name__} has no path to a review")


class ReviewRolePermission(permissions.BasePermission):
    """DRF object permission: read if visible, write if editor or owner.

    Querysets are already scoped in get_queryset(), so an invisible object is
    a 404 before this runs; here we only tell readers from writers.
    """

    message = "Only the review's editors and owners may change it."

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        return bool(request.user and request.user.is_authenticated)

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        return review_of(obj).can_edit(request.user)

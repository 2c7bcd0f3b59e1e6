"""Who may see and change what: the one rule, for the API and the browser alike.

Roles rank viewer < editor < owner; staff act as owners everywhere.
- Read: anyone may read a public review, only members (and staff) a private
  one; to everyone else a private review does not exist (404, not 403).
- Each view declares the role it needs: `read_role` (None: anyone who may
  see the review), `write_role` (editor by default) and `delete_role` (the
  write role unless said otherwise). DRF views get them enforced by
  `ReviewAccess`; browser views and API views that name their review in the
  URL or the payload call `get_review_for_user(user, slug, role=...)` or
  `require_role(user, review, role)`.
- Services assume an authorised caller: they enforce the domain's rules (a
  merged CMOC cannot be merged again), never roles.

So "who may merge a CMOC?" is answered by CMOCViewSet's `write_role` and the
merge form's `get_review_for_user(..., role=EDITOR)`, both read here.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import permissions

from ichub.models import Membership, Review

VIEWER, EDITOR, OWNER = Membership.Role.VIEWER, Membership.Role.EDITOR, Membership.Role.OWNER
_RANK = {VIEWER: 1, EDITOR: 2, OWNER: 3}
REFUSALS = {
    VIEWER: "Only the review's members may see this.",
    EDITOR: "Only the review's editors and owners may change it.",
    OWNER: "Only the review's owners may do this.",
}


def has_role(user, review, role):
    """Whether the user holds `role` (or a higher one) in the review; None asks for nothing."""
    if role is None:
        return True
    return role_at_least(review.role_of(user), role)


def role_at_least(held, needed):
    """Whether the role `held` (None: no role) is `needed` or a higher one."""
    return _RANK.get(held, 0) >= _RANK[needed]


def require_role(user, review, role):
    """PermissionDenied (403) unless the user holds `role` in the review."""
    if not has_role(user, review, role):
        raise PermissionDenied(REFUSALS[role])


def visible_reviews(user):
    return Review.objects.visible_to(user)


def scope_to_visible(queryset, user, review_path="review"):
    """Rows of `queryset` whose review (reached through `review_path`) the user may read."""
    if user.is_authenticated and user.is_staff:
        return queryset
    return queryset.filter(**{f"{review_path}__in": visible_reviews(user).values("pk")})


def get_review_for_user(user, slug, *, role=None):
    """The review with this slug, or 404 if the user may not see it.

    A reader without `role` gets PermissionDenied (403): they can see the
    review exists, so hiding it would only confuse.
    """
    review = visible_reviews(user).filter(slug=slug).first()
    if review is None:
        raise Http404("No such review.")
    require_role(user, review, role)
    return review


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


class ReviewAccess(permissions.BasePermission):
    """Enforces the roles a DRF view declares (`read_role`, `write_role`, `delete_role`).

    Querysets are already scoped to readable reviews in get_queryset(), so an
    invisible object is a 404 before this runs; here a visible one is checked
    against the role its method needs. Writes always need a signed-in user.
    """

    message = REFUSALS[EDITOR]

    @staticmethod
    def needed_role(request, view):
        if request.method in permissions.SAFE_METHODS:
            return getattr(view, "read_role", None)
        write_role = getattr(view, "write_role", EDITOR)
        if request.method == "DELETE":
            return getattr(view, "delete_role", None) or write_role
        return write_role

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS and self.needed_role(request, view) is None:
            return True
        return bool(request.user and request.user.is_authenticated)

    def has_object_permission(self, request, view, obj):
        role = self.needed_role(request, view)
        if has_role(request.user, review_of(obj), role):
            return True
        self.message = REFUSALS[role]
        return False

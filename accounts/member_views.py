"""The members page of a review: owners invite, change roles and remove members."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.forms import InviteForm, RoleForm
from accounts.members import cancel_invitation, change_role, invite, remove_member
from accounts.models import Invitation
from ichub.models import Membership
from ichub.permissions import OWNER, get_review_for_user


def _get_review_for_owner(request, slug):
    return get_review_for_user(request.user, slug, role=OWNER)


def _render(request, review, *, invite_form=None, status=200):
    memberships = review.memberships.select_related("user").order_by("user__username")
    return render(request, "accounts/members.html", {
        "review": review,
        "memberships": memberships,
        "roles": Membership.Role.choices,
        "invitations": review.invitations.pending().select_related("invited_by"),
        "invite_form": invite_form or InviteForm(),
    }, status=status)


@login_required
def members(request, slug):
    review = _get_review_for_owner(request, slug)
    if request.method != "POST":
        return _render(request, review)
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            invitation = invite(
                review=review, invitee=form.cleaned_data["invitee"],
                role=form.cleaned_data["role"], invited_by=request.user,
                build_url=request.build_absolute_uri,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            how = "emailed a link to" if invitation.email else "invited"
            messages.success(request, f"Done: {how} {invitation.invitee} as "
                             f"{invitation.get_role_display().lower()}.")
            return redirect("members:list", review.slug)
    return _render(request, review, invite_form=form, status=400)


def _get_membership(review, user_id):
    return get_object_or_404(Membership, review=review, user_id=user_id)


@login_required
@require_POST
def member_role(request, slug, user_id):
    review = _get_review_for_owner(request, slug)
    membership = _get_membership(review, user_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Role: choose owner, editor or viewer.")
        return redirect("members:list", review.slug)
    try:
        change_role(review=review, user_id=membership.user_id, role=form.cleaned_data["role"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{membership.user} is now "
                         f"{dict(Membership.Role.choices)[form.cleaned_data['role']].lower()}.")
    return redirect("members:list", review.slug)


@login_required
@require_POST
def member_remove(request, slug, user_id):
    review = _get_review_for_owner(request, slug)
    membership = _get_membership(review, user_id)
    try:
        remove_member(review=review, user_id=membership.user_id)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Removed {membership.user} from the review.")
    return redirect("members:list", review.slug)


@login_required
@require_POST
def invitation_cancel(request, slug, pk):
    review = _get_review_for_owner(request, slug)
    found = get_object_or_404(Invitation.objects.pending(), review=review, pk=pk)
    cancel_invitation(invitation=found)
    messages.success(request, f"Cancelled the invitation to {found.invitee}.")
    return redirect("members:list", review.slug)

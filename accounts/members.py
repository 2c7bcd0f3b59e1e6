"""Who belongs to a review: invitations, roles and removals, each one transaction.

A review must always keep an owner, or nobody could ever change its members
again. Two owners removing each other at the same moment would each see the
other still there and both succeed, so every change that can take an owner
away first locks the review's owner rows (SELECT ... FOR UPDATE): the second
change waits for the first, then sees what the first left.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, hash_key
from ichub.models import Membership

INVITATION_DAYS = 14
LAST_OWNER = "A review keeps at least one owner: make someone else an owner first."


def _locked_membership(review, user_id):
    """The member's row, locked; 404 if a concurrent request removed it while we waited."""
    membership = Membership.objects.select_for_update().filter(
        review=review, user_id=user_id).first()
    if membership is None:
        raise Http404("That person is no longer a member of this review.")
    return membership


def _locked_owner_ids(review):
    owners = (Membership.objects.select_for_update()
              .filter(review=review, role=Membership.Role.OWNER).order_by("pk"))
    return {m.user_id for m in owners}


@transaction.atomic
def change_role(*, review, user_id, role):
    owners = _locked_owner_ids(review)
    membership = _locked_membership(review, user_id)
    if membership.role == role:
        return membership
    if membership.role == Membership.Role.OWNER and owners == {user_id}:
        raise ValidationError({"role": LAST_OWNER})
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def remove_member(*, review, user_id):
    owners = _locked_owner_ids(review)
    membership = _locked_membership(review, user_id)
    if membership.role == Membership.Role.OWNER and owners == {user_id}:
        raise ValidationError({"role": LAST_OWNER})
    membership.delete()


@transaction.atomic
def invite(*, review, invitee, role, invited_by, build_url):
    """An invitation to a username or an email address; says nothing about who exists.

    `build_url` turns a path into an absolute link for the email. An invitation
    by username is shown on that account's page if the account exists; the
    inviter sees the same "invited" either way.
    """
    key = secrets.token_urlsafe(32)
    by_email = "@" in invitee
    existing = review.memberships.filter(
        **({"user__email__iexact": invitee} if by_email else {"user__username": invitee})
    )
    if not by_email and existing.exists():
        raise ValidationError({"invitee": f"{invitee} is already a member of this review."})
    invitation = Invitation.objects.create(
        review=review, role=role, invited_by=invited_by,
        email=invitee if by_email else "", username="" if by_email else invitee,
        key_hash=hash_key(key), expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
    )
    if by_email:
        link = build_url(reverse("accounts:invitation", args=[key]))
        context = {"invitation": invitation, "link": link, "inviter": invited_by}
        send_mail(
            subject=f"Invitation to the review “{review.title}” on ichub",
            message=render_to_string("accounts/invitation_email.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[invitee],
        )
    return invitation


def invitations_for(user):
    """Pending invitations addressed to this account by username."""
    return Invitation.objects.pending().filter(username=user.get_username()).select_related(
        "review", "invited_by")


def find_invitation(key):
    return Invitation.objects.pending().select_related("review").filter(
        key_hash=hash_key(key)).first()


@transaction.atomic
def accept_invitation(*, invitation, user):
    """The invited role, for a new member; someone already in the review keeps their role."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_pending:
        raise ValidationError("This invitation was already used, cancelled, or has expired.")
    membership, _ = Membership.objects.get_or_create(
        review=invitation.review, user=user, defaults={"role": invitation.role})
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


def cancel_invitation(*, invitation):
    Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
        cancelled_at=timezone.now())



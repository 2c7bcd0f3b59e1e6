"""API tokens (many per user, named, revocable) and invitations to a review.

A token's secret is shown once, when it is made; the database keeps only its
SHA-256 and its first characters (the prefix the account page lists), so a
leaked database or backup gives nobody a working token.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from ichub.models import Membership, Review

PREFIX_LENGTH = 8


def hash_key(key: str) -> str:
    """A token's stored form. The key is 160 random bits, so a fast hash is enough."""
    return hashlib.sha256(key.encode()).hexdigest()


class APITokenQuerySet(models.QuerySet):
    def active(self):
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        )

    def revoke(self, reason):
        return self.filter(revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_reason=reason
        )


class APIToken(models.Model):
    class Reason(models.TextChoices):
        REVOKED = "revoked", "Revoked by its owner"
        ROTATED = "rotated", "Replaced by a rotated token"
        PASSWORD_CHANGED = "password_changed", "The password changed"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=PREFIX_LENGTH)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=20, choices=Reason.choices, blank=True)
    rotated_from = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="rotated_to"
    )

    objects = APITokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API token"

    def __str__(self):
        return f"{self.name} ({self.prefix}…) of {self.user}"

    @classmethod
    def issue(cls, *, user, name, rotated_from=None):
        """A new token and its secret, which is never stored and cannot be shown again."""
        key = secrets.token_hex(20)
        days = settings.API_TOKEN_LIFETIME_DAYS
        token = cls.objects.create(
            user=user,
            name=name,
            prefix=key[:PREFIX_LENGTH],
            key_hash=hash_key(key),
            expires_at=timezone.now() + timedelta(days=days) if days else None,
            rotated_from=rotated_from,
        )
        return token, key

    @property
    def is_expired(self):
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_active(self):
        return self.revoked_at is None and not self.is_expired


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(accepted_at__isnull=True, cancelled_at__isnull=True).filter(
            expires_at__gt=timezone.now()
        )


class Invitation(models.Model):
    """A role in a review offered to an email address, accepted through a link.

    The link carries a secret (stored hashed, like tokens) so it works for
    someone who has no account yet: they sign up through it even when open
    sign-up is closed, and the role is theirs once they accept.
    """

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(blank=True, help_text="Sent a link that works without an account.")
    username = models.CharField(
        max_length=150, blank=True,
        help_text="Shown on that account's page, if it exists; the inviter is not told either way.",
    )
    role = models.CharField(max_length=10, choices=Membership.Role.choices)
    key_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(email="") & ~Q(username="")) | (~Q(email="") & Q(username="")),
                name="invitation_email_or_username",
            ),
        ]

    def __str__(self):
        return f"{self.email or self.username} as {self.role} of {self.review}"

    @property
    def invitee(self):
        return self.email or self.username

    @property
    def is_pending(self):
        return (self.accepted_at is None and self.cancelled_at is None
                and self.expires_at > timezone.now())

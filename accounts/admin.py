"""Operators see and revoke tokens and invitations; secrets are never shown or typed here."""

from django.contrib import admin, messages
from django.utils import timezone

from accounts.models import APIToken, Invitation


@admin.register(APIToken)
class APITokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "expires_at", "revoked_at",
                    "revoked_reason"]
    list_filter = ["revoked_reason"]
    search_fields = ["name", "prefix", "user__username"]
    readonly_fields = ["user", "name", "prefix", "created_at", "expires_at", "revoked_at",
                       "revoked_reason", "rotated_from"]
    exclude = ["key_hash"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False  # users make their own, on their account page: the secret is theirs

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        count = queryset.revoke(APIToken.Reason.REVOKED)
        self.message_user(request, f"Revoked {count} token(s).", messages.SUCCESS)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["review", "email", "username", "role", "invited_by", "created_at",
                    "expires_at", "accepted_at", "cancelled_at"]
    search_fields = ["email", "username", "review__title"]
    readonly_fields = ["review", "email", "username", "role", "invited_by", "created_at",
                       "accepted_at", "accepted_by", "cancelled_at"]
    exclude = ["key_hash"]
    actions = ["cancel"]

    def has_add_permission(self, request):
        return False  # owners invite from the members page, which emails the link

    @admin.action(description="Cancel the selected invitations")
    def cancel(self, request, queryset):
        count = queryset.filter(accepted_at__isnull=True).update(cancelled_at=timezone.now())
        self.message_user(request, f"Cancelled {count} invitation(s).", messages.SUCCESS)

"""A new password ends every API token made under the old one."""

from django.contrib.auth import get_user_model
from django.db.models.signals import post_save
from django.dispatch import receiver

from accounts.models import APIToken


@receiver(post_save, sender=get_user_model())
def revoke_tokens_on_password_change(sender, instance, created, **kwargs):
    """Whoever changed the password (the user, a reset link, an admin, `changepassword`).

    Django marks a user whose password was just set with `_password` until the
    save after it has run its password-changed hooks; that is the one moment
    every path shares. A token is a second password: someone who changes theirs
    because it leaked must not stay signed in to the API through one.
    """
    if created or getattr(instance, "_password", None) is None:
        return
    APIToken.objects.filter(user=instance).revoke(APIToken.Reason.PASSWORD_CHANGED)

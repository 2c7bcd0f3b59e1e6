"""Sign-up, token and invitation forms."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm

from ichub.models import Membership


class SignUpForm(UserCreationForm):
    """Username, email and a password checked by the project's password validators."""

    email = forms.EmailField(
        max_length=254, help_text="For password resets and invitations; never shown to others."
    )

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100, help_text="What the token is for, e.g. “analysis notebook”.",
    )


class InviteForm(forms.Form):
    """Whom to invite: an existing username or any email address, and the role."""

    invitee = forms.CharField(
        label="Username or email", max_length=254,
        help_text="An email address gets a link that works even without an account.",
    )
    role = forms.ChoiceField(choices=Membership.Role.choices, initial=Membership.Role.EDITOR)

    def clean_invitee(self):
        value = self.cleaned_data["invitee"].strip()
        if "@" in value:
            forms.EmailField().clean(value)
        elif not value or "\x00" in value:
            raise forms.ValidationError("Enter a username or an email address.")
        return value


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Membership.Role.choices)

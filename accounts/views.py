"""Sign-up, the account page (reviews, roles, API tokens) and accepting invitations."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.forms import SignUpForm, TokenForm
from accounts.members import accept_invitation, find_invitation, invitations_for
from accounts.models import APIToken, Invitation
from ichub.models import Membership

BACKEND = "django.contrib.auth.backends.ModelBackend"


def signup(request):
    """Open sign-up, or (when DJANGO_SIGNUP=0) sign-up through an invitation link only."""
    key = request.GET.get("invitation", "")
    invitation = find_invitation(key) if key else None
    if not settings.SIGNUP_OPEN and invitation is None:
        return render(request, "accounts/signup_closed.html", status=403)
    if request.user.is_authenticated:
        return redirect("accounts:account")
    if request.method == "POST":
        form = SignUpForm(request.POST)
        if form.is_valid():
            with transaction.atomic():
                user = form.save()
                if invitation is not None:
                    accept_invitation(invitation=invitation, user=user)
            login(request, user, backend=BACKEND)
            if invitation is not None:
                messages.success(request, f"Welcome! You joined “{invitation.review.title}”.")
                return redirect("hub:dashboard", invitation.review.slug)
            messages.success(request, "Welcome to ichub! Start a review from this page.")
            return redirect("accounts:account")
    else:
        form = SignUpForm(initial={"email": invitation.email if invitation else ""})
    return render(request, "accounts/signup.html", {"form": form, "invitation": invitation})


def _account_context(user, **extra):
    memberships = (Membership.objects.filter(user=user).select_related("review")
                   .order_by("review__title"))
    return {
        "memberships": memberships,
        "tokens": APIToken.objects.filter(user=user),
        "token_form": TokenForm(),
        "invitations": invitations_for(user),
        "lifetime_days": settings.API_TOKEN_LIFETIME_DAYS,
        **extra,
    }


@login_required
def account(request):
    return render(request, "accounts/account.html", _account_context(request.user))


def _get_token_for_user(request, pk):
    return get_object_or_404(APIToken, pk=pk, user=request.user)


@login_required
@require_POST
def token_create(request):
    form = TokenForm(request.POST)
    if not form.is_valid():
        return render(request, "accounts/account.html",
                      _account_context(request.user, token_form=form), status=400)
    token, key = APIToken.issue(user=request.user, name=form.cleaned_data["name"])
    # Rendered, not redirected: the secret must not travel in a URL or sit in the session.
    return render(request, "accounts/account.html",
                  _account_context(request.user, new_token=token, new_key=key))


@login_required
@require_POST
def token_revoke(request, pk):
    token = _get_token_for_user(request, pk)
    APIToken.objects.filter(pk=token.pk).revoke(APIToken.Reason.REVOKED)
    messages.success(request, f"Revoked the token “{token.name}” ({token.prefix}…).")
    return redirect("accounts:account")


@login_required
@require_POST
def token_rotate(request, pk):
    """A new secret under the same name; the old one stops working at once."""
    token = _get_token_for_user(request, pk)
    if not token.is_active:
        messages.error(request, "Only an active token can be rotated; make a new one instead.")
        return redirect("accounts:account")
    with transaction.atomic():
        APIToken.objects.filter(pk=token.pk).revoke(APIToken.Reason.ROTATED)
        new, key = APIToken.issue(user=request.user, name=token.name, rotated_from=token)
    return render(request, "accounts/account.html",
                  _account_context(request.user, new_token=new, new_key=key))


def invitation(request, key):
    """The link from an invitation email: sign up or log in, then accept."""
    found = find_invitation(key)
    if found is None:
        raise Http404("This invitation was already used, cancelled, or has expired.")
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('login')}?next={request.path}")
        return _accept(request, found)
    return render(request, "accounts/invitation.html", {"invitation": found, "key": key})


@login_required
@require_POST
def invitation_accept(request, pk):
    """Accept an invitation addressed to this account's username."""
    found = get_object_or_404(Invitation.objects.pending(), pk=pk)
    if found.username != request.user.get_username():
        raise PermissionDenied("This invitation is for another account.")
    return _accept(request, found)


def _accept(request, found):
    try:
        accept_invitation(invitation=found, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("accounts:account")
    messages.success(request, f"You joined “{found.review.title}”.")
    return redirect("hub:dashboard", found.review.slug)

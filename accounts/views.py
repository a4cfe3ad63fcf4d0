from allauth.account.utils import perform_login
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from . import services
from .forms import SetPasswordForm
from .models import User


def invitation(request, token):
    """Open an invitation link: a newcomer chooses a password; someone who already
    has an account signs in (if needed) and confirms."""
    invite = services.invitation_for_token(token)
    problem = services.invitation_problem(invite)
    if problem:
        return render(request, "accounts/invitation_unusable.html", {"problem": problem}, status=410)

    user = User.objects.filter(email__iexact=invite.email).first()
    # Someone new, or a former member whose login was disabled when they left: the
    # link proves they own the address, so they choose a (new) password here.
    newcomer = user is None or not user.is_active or not user.has_usable_password()
    if not newcomer and request.user != user:
        if request.user.is_authenticated:
            return render(request, "accounts/invitation_wrong_account.html", {"invitation": invite})
        messages.info(request, f"You already have an account. Sign in as {invite.email} to join {invite.invited_to}.")
        return redirect(f"{reverse('account_login')}?next={request.path}")

    form = SetPasswordForm(request.POST or None, user=user) if newcomer else None
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            user = services.accept_invitation(
                invitation=invite,
                user=user,
                password=form.cleaned_data["password1"] if form else None,
                request=request,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(request.path)
        messages.success(request, f"Welcome to {invite.invited_to}.")
        if newcomer:
            return perform_login(request, user, redirect_url=reverse("core:home"))
        return redirect("core:home")
    return render(request, "accounts/invitation.html", {"invitation": invite, "form": form, "invitee": user})

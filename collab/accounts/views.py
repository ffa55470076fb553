"""The user's own settings pages of the accounts app: personal API tokens."""

from __future__ import annotations

from datetime import datetime, time

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from collab.accounts import services
from collab.accounts.forms import ApiTokenForm
from collab.accounts.http import AuthedRequest
from collab.accounts.models import ApiToken

#: the session key that carries a new token's plaintext from the POST to the one GET that shows it
NEW_TOKEN_KEY = "_new_api_token"  # noqa: S105 - a session key, not a secret


def _page(request: AuthedRequest, form: ApiTokenForm, *, plaintext: str = "", status: int = 200) -> HttpResponse:
    tokens = list(ApiToken.objects.for_user(request.user))
    return render(
        request, "accounts/tokens.html", {"form": form, "tokens": tokens, "plaintext": plaintext}, status=status
    )


@never_cache  # Cache-Control: no-store: the page that shows a plaintext token stays out of every cache
@require_http_methods(["GET", "POST"])
def tokens(request: AuthedRequest) -> HttpResponse:
    """GET: your tokens and a form for a new one; right after making one, its plaintext this once (popped from
    the session, so a reload no longer shows it). POST: make one, then redirect (POST/redirect/GET), so a
    reload or the back button never mints a second token."""
    form = ApiTokenForm(request.POST or None)
    if request.method == "GET":
        return _page(request, form, plaintext=request.session.pop(NEW_TOKEN_KEY, ""))
    if form.is_valid():
        # the end of the chosen day, in the person's own time zone
        end_of_day = datetime.combine(
            form.cleaned_data["expires_on"], time(23, 59), tzinfo=timezone.get_current_timezone()
        )
        try:
            made = services.api_token_create(user=request.user, name=form.cleaned_data["name"], expires_at=end_of_day)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error("expires_on" if field == "expires_at" else None, errors)
        else:
            request.session[NEW_TOKEN_KEY] = made.plaintext
            messages.success(request, f"Token “{made.token.name}” made. Copy it now: it is not shown again.")
            return redirect("accounts:tokens")
    return _page(request, form, status=422)


@require_POST
def token_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    token = ApiToken.objects.for_user(request.user).filter(pk=pk).first()
    if token is None:
        raise Http404("No such token.")  # someone else's is none of your business
    services.api_token_revoke(token=token, by=request.user)
    messages.success(request, f"Token “{token.name}” revoked; requests with it now get 401.")
    return redirect("accounts:tokens")

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from collab.accounts.http import AuthedRequest
from collab.lib.htmx import render_page, wants_fragment
from collab.lib.params import MAX_PAGE, choice_param, int_param
from collab.notifications import services
from collab.notifications.forms import PreferencesForm
from collab.notifications.models import ChatSetting, DigestSetting, Notification
from collab.notifications.selectors import unread_count


@require_GET
def bell(request: AuthedRequest) -> HttpResponse:
    return render(request, "notifications/bell.html", {"unread_notifications": unread_count(request.user)})


@require_GET
def notification_list(request: AuthedRequest) -> HttpResponse:
    return _list(request)


def _list(request: AuthedRequest) -> HttpResponse:
    qs = Notification.objects.for_user(request.user)
    show = choice_param(request.GET, "show", ("all", "unread"), default="all")
    if show == "unread":
        qs = qs.unread()
    page = Paginator(qs, 30).get_page(int_param(request.GET, "page", default=1, min=1, max=MAX_PAGE))
    return render_page(request, "notifications/list.html", "items", {"page": page, "show": show})


def _after_change(request: AuthedRequest) -> HttpResponse:
    if wants_fragment(request):
        response = _list(request)
        response["HX-Trigger"] = "notifications-changed"
        return response
    return redirect("notifications:list")


@require_POST
def mark_read(request: AuthedRequest, pk: int) -> HttpResponse:
    try:
        services.notification_mark_read(user=request.user, notification_id=pk)
    except Notification.DoesNotExist:
        raise Http404("No such notification.") from None
    return _after_change(request)


@require_POST
def mark_all_read(request: AuthedRequest) -> HttpResponse:
    count = services.notifications_mark_all_read(user=request.user)
    if not wants_fragment(request):
        messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} as read.")
    return _after_change(request)


@require_http_methods(["GET", "POST"])
def preferences(request: AuthedRequest) -> HttpResponse:
    user = request.user
    prefs = {p.kind: p for p in user.notification_prefs.all()}
    digest = DigestSetting.objects.filter(user=user).first()
    chat = ChatSetting.objects.filter(user=user).first()
    initial = {
        "digest_enabled": digest.enabled if digest else False,
        "digest_hour": digest.hour if digest else 8,
        "time_zone": user.time_zone,
        "slack_webhook_url": chat.slack_webhook_url if chat else "",
        "teams_webhook_url": chat.teams_webhook_url if chat else "",
        "slack_member_id": chat.slack_member_id if chat else "",
    }
    form = PreferencesForm(request.POST or None, user=user, prefs=prefs, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            services.preferences_save(
                user=user,
                choices=form.choices(),
                digest_enabled=form.cleaned_data["digest_enabled"],
                digest_hour=form.cleaned_data["digest_hour"],
                time_zone=form.cleaned_data["time_zone"],
                slack_webhook_url=form.cleaned_data["slack_webhook_url"],
                teams_webhook_url=form.cleaned_data["teams_webhook_url"],
                slack_member_id=form.cleaned_data["slack_member_id"],
            )
            messages.success(request, "Your notification settings are saved.")
            return redirect("notifications:preferences")
        return render(request, "notifications/preferences.html", {"form": form}, status=422)
    return render(request, "notifications/preferences.html", {"form": form})

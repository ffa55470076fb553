"""The bell, the notifications page and the preferences page."""

from __future__ import annotations

import pytest

from collab.notifications.models import DigestSetting, Notification, Preference

pytestmark = pytest.mark.django_db


def _note(user, title="Snag SNAG-1 escalated", **kw):
    return Notification.objects.create(user=user, kind="test", title=title, link="/snags/", **kw)


def test_bell_shows_the_unread_count_on_every_page(client_as, cmo):
    _note(cmo)
    _note(cmo)
    page = client_as(cmo).get("/").content.decode()
    assert 'aria-label="Notifications: 2 unread"' in page
    bell = client_as(cmo).get("/notifications/bell/", HTTP_HX_REQUEST="true")
    assert bell.status_code == 200
    assert '<span class="bell__count">2</span>' in bell.content.decode()
    assert "<html" not in bell.content.decode()


def test_notification_list_full_page_and_fragment(client_as, cmo, cio):
    _note(cmo, "Mine")
    _note(cio, "Not mine")
    client = client_as(cmo)
    page = client.get("/notifications/")
    html = page.content.decode()
    assert page.status_code == 200 and "Mine" in html and "Not mine" not in html and "<html" in html
    fragment = client.get("/notifications/", HTTP_HX_REQUEST="true")
    assert "Mine" in fragment.content.decode() and "<html" not in fragment.content.decode()
    assert "HX-Request" in fragment["Vary"]


def test_unread_filter(client_as, cmo):
    _note(cmo, "Unread one")
    from django.utils import timezone

    _note(cmo, "Read one", read_at=timezone.now())
    html = client_as(cmo).get("/notifications/?show=unread").content.decode()
    assert "Unread one" in html and "Read one" not in html


def test_mark_one_read_without_js_and_with_htmx(client_as, cmo):
    a, b = _note(cmo, "A"), _note(cmo, "B")
    client = client_as(cmo)
    response = client.post(f"/notifications/{a.pk}/read/")
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.is_read
    response = client.post(f"/notifications/{b.pk}/read/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response["HX-Trigger"] == "notifications-changed"
    b.refresh_from_db()
    assert b.is_read


def test_nobody_marks_another_persons_notification(client_as, cmo, cio):
    theirs = _note(cio)
    client_as(cmo).post(f"/notifications/{theirs.pk}/read/")
    theirs.refresh_from_db()
    assert not theirs.is_read


def test_mark_all_read_only_touches_mine(client_as, cmo, cio):
    _note(cmo), _note(cmo), _note(cio)
    response = client_as(cmo).post("/notifications/read-all/", follow=True)
    assert "Marked 2 notifications as read." in response.content.decode()
    assert Notification.objects.filter(user=cmo, read_at__isnull=True).count() == 0
    assert Notification.objects.filter(user=cio, read_at__isnull=True).count() == 1


def test_mark_read_needs_post(client_as, cmo):
    n = _note(cmo)
    assert client_as(cmo).get(f"/notifications/{n.pk}/read/").status_code == 405
    n.refresh_from_db()
    assert not n.is_read


def test_preferences_page_saves_channels_digest_and_zone(client_as, cmo, probe_kind):
    client = client_as(cmo)
    page = client.get("/settings/notifications/").content.decode()
    assert "Probe reminder" in page and 'name="probe__email"' in page
    response = client.post(
        "/settings/notifications/",
        {"probe__in_app": "on", "digest_enabled": "on", "digest_hour": "7", "time_zone": "America/New_York"},
    )
    assert response.status_code == 302
    pref = Preference.objects.get(user=cmo, kind="probe")
    assert pref.in_app and not pref.email
    setting = DigestSetting.objects.get(user=cmo)
    assert setting.enabled and setting.hour == 7
    cmo.refresh_from_db()
    assert cmo.time_zone == "America/New_York"


def test_preferences_bad_input_is_refused_and_nothing_saved(client_as, cmo, probe_kind):
    response = client_as(cmo).post(
        "/settings/notifications/", {"probe__in_app": "on", "digest_hour": "25", "time_zone": "Mars/Olympus"}
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "Select a valid choice" in html
    assert not Preference.objects.exists() and not DigestSetting.objects.exists()
    cmo.refresh_from_db()
    assert cmo.time_zone == "Europe/Berlin"


def test_admin_can_send_a_test_message_and_resend_failed(
    admin_user, cmo, client_as, django_capture_on_commit_callbacks
):
    client = client_as(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/accounts/user/", {"action": "send_test_notification", "_selected_action": [cmo.pk]}, follow=True
        )
    assert response.status_code == 200
    assert Notification.objects.filter(user=cmo, kind="test").count() == 1
    from collab.notifications.models import Delivery, DeliveryStatus

    Delivery.objects.update(status=DeliveryStatus.FAILED)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/admin/notifications/delivery/",
            {"action": "resend", "_selected_action": list(Delivery.objects.values_list("pk", flat=True))},
        )
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert client.get("/admin/notifications/delivery/?status__exact=sent").status_code == 200

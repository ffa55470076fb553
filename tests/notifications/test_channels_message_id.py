"""A reminder email carries one Message-ID per delivery, the same on a retry, so a re-send after a lost
worker is the same message to the receiving mail system."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.utils import timezone

from collab.notifications.channels import message_id, send_email_message
from collab.notifications.models import Delivery
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_message_id_is_the_same_on_every_attempt(settings):
    settings.SITE_URL = "https://collab.example.com"
    user = UserFactory(email="cmo@example.com")
    delivery = Delivery.objects.create(
        kind="test", content_type=ContentType.objects.get_for_model(user), object_id=str(user.pk), recipient=user,
        due_at=timezone.now(), channel="email", title="Your reminder",
    )  # fmt: skip
    send_email_message(delivery)
    send_email_message(delivery)
    ids = [m.extra_headers["Message-ID"] for m in mail.outbox]
    assert ids == [message_id(delivery)] * 2
    assert ids[0] == f"<delivery-{delivery.pk}@collab.example.com>"
    assert "Message-ID: <delivery-" in mail.outbox[0].message().as_string()

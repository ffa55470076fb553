"""QBR Markdown (team input, agenda notes) is stored as sanitised HTML when it is written."""

from __future__ import annotations

import pytest

from reviews import services
from reviews.models import TeamInput

pytestmark = pytest.mark.django_db


def test_submitting_team_input_stores_its_html(review, member):
    marketing = TeamInput.objects.get(review=review, team="marketing")
    services.input_submit(team_input=marketing, by=member, text="[" * 10_000, version=1)
    assert TeamInput.objects.get(pk=marketing.pk).text_html == "<p>" + "[" * 10_000 + "</p>\n"

"""Schemathesis against our OpenAPI schema, in process through the WSGI app, with a real token: no 500s, every
response conforms to the schema (status codes, content type, body). Few examples per operation, so it stays fast."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.control import SkipTest
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

from collab.accounts.api_auth import api
from collab.notifications.models import Notification
from collab.wsgi import application
from liaison import services as liaison_services
from reviews import services as review_services

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def _keep_the_test_connection():
    """The WSGI app closes "old" connections when a request ends; inside the test's transaction that would close
    the test's own connection (on Postgres). Django's test client switches this off the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(_keep_the_test_connection, member, cmo, cio, liaison, snag, project, settings):
    """The schema of the API object (what /api/openapi.json serves), called through the WSGI app; a world with
    a snag, a project, a meeting, a review and a notification so the reads find something."""
    settings.API_RATE_LIMIT_PER_MINUTE = 1_000_000
    settings.API_FAILED_TOKENS_PER_MINUTE = 1_000_000  # negative cases send broken tokens too
    series = liaison_services.series_create(
        by=cmo, title="Sync", kind="cmo_cio_sync", cadence="monthly", organiser=cmo, default_attendees=[cio],
        default_length_minutes=60, default_location="Room",
    )  # fmt: skip
    liaison_services.meeting_create(
        by=cmo, series=series, start=datetime(2027, 1, 5, 9, 0, tzinfo=UTC), status="planned"
    )
    review_services.review_create(
        by=cmo, year=2026, quarter=4, scheduled_at=datetime(2026, 12, 10, 13, 0, tzinfo=UTC), length_minutes=60,
        location="Room", facilitator=liaison, attendees=[cmo, member],
    )  # fmt: skip
    Notification.objects.create(user=member, kind="test", title="Hello", link="/")
    schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
    schema.app = application
    schema.config.generation.update(modes=[GenerationMode.POSITIVE], allow_x00=False)
    return schema


def _real_parameters(path: str, world: dict) -> dict[str, object]:
    """Path parameters naming real objects, so the happy paths of the detail operations are checked too."""
    known = {"code": world["snag"].code, "pk": world["pk"].get(path.split("/")[2], 1), "year": 2026, "quarter": 4}
    return {name: known[name] for name in known if "{" + name + "}" in path}


def test_the_api_conforms_to_its_schema(api_schema, member, token_for, snag, project):
    """Every operation, positive examples only (what a client that follows the schema sends), once with generated
    path parameters (mostly a 404) and once with real ones. (Query counts: exact, in test_endpoints.py.)"""
    headers = {"Authorization": f"Bearer {token_for(member)}"}
    notification = Notification.objects.get(user=member)
    world = {
        "snag": snag,
        "pk": {"projects": project.pk, "meetings": api_schema_meeting_pk(), "notifications": notification.pk},
    }
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == 15
    calls = 0
    for operation in operations:
        variants: list[dict[str, object]] = [{}]
        real = _real_parameters(operation.path, world)
        if real:
            variants.append(real)
        for pinned in variants:
            strategy = operation.as_strategy(GenerationMode.POSITIVE, path_parameters=pinned or None)

            @given(case=strategy)
            @settings(
                max_examples=10,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
                phases=[Phase.explicit, Phase.generate],
            )
            def check(case):
                nonlocal calls
                calls += 1
                # positive_data_acceptance is left out: a schema-valid request may still break a business rule
                # (a project id that does not exist, a move the lifecycle does not allow) and get a 422 with the
                # reason; everything else is checked (no 5xx, documented status codes, content type, body schema)
                case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

            check()
    print(f"FIGURE schemathesis: {len(operations)} operations, {calls} requests, 0 failures")


def api_schema_meeting_pk() -> int:
    from liaison.models import Meeting

    return Meeting.objects.values_list("pk", flat=True).first() or 1


def _error_shape(response) -> None:
    """Every 4xx is JSON ``{"detail": "..."}`` or ``{"detail": [{"loc", "msg", "type"}, ...]}``."""
    assert response.headers.get("content-type", [""])[0].startswith("application/json"), response.headers
    detail = response.json()["detail"]
    if isinstance(detail, list):
        assert detail and all(set(item) >= {"loc", "msg", "type"} for item in detail), detail
    else:
        assert isinstance(detail, str) and detail, detail


def test_invalid_requests_are_refused_with_documented_json_errors(api_schema, member, token_for):
    """Negative data (wrong types, out-of-range values, missing required fields, broken bodies): never a 5xx,
    every answer is a status the operation documents, and every 4xx is JSON in the documented error shape."""
    headers = {"Authorization": f"Bearer {token_for(member)}"}
    # the token is ours (a real one); NUL bytes are fair game here
    api_schema.config.generation.update(modes=[GenerationMode.NEGATIVE], with_security_parameters=False, allow_x00=True)
    calls = skipped = 0
    codes: dict[int, int] = {}
    for result in api_schema.get_all_operations():
        operation = result.ok()
        strategy = operation.as_strategy(GenerationMode.NEGATIVE)

        @given(case=strategy)
        @settings(
            max_examples=5,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.explicit, Phase.generate],
        )
        def check(case):
            nonlocal calls
            calls += 1
            response = case.call(headers=headers)
            codes[response.status_code] = codes.get(response.status_code, 0) + 1
            case.validate_response(
                response,
                checks=[not_a_server_error, status_code_conformance, content_type_conformance,
                        response_schema_conformance],
            )  # fmt: skip
            if 400 <= response.status_code < 500:
                _error_shape(response)

        try:
            check()
        except SkipTest:  # nothing to make invalid (no parameters, no body): the positive run covers it
            skipped += 1
    assert skipped <= 3, skipped  # GET /api/reviews, GET /api/ranking, POST /api/notifications/read-all
    print(
        f"FIGURE schemathesis negative: {calls} invalid requests, 0 server errors, status codes {sorted(codes.items())}"
    )

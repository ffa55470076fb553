"""The relationship pulse: anonymous answers, the threshold of five, results and gaps, reminders, the QBR facts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models

from collab.accounts.models import Department, Role
from collab.notifications import services as engine
from collab.notifications.models import Notification
from reviews import facts, pulse, services
from reviews.models import Pulse, PulseAnswer, PulseInvitation, PulseQuestion, QuestionKind
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
OPEN_AT = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)


@pytest.fixture
def opened(review, liaison):
    """The pulse of QBR 2026 Q4, opened by the facilitator; it closes at the teams' input deadline."""
    with time_machine.travel(OPEN_AT, tick=False):
        return pulse.pulse_open(review=review, by=liaison)


def _people(department: str, n: int) -> list:
    return [UserFactory(department=department, role=Role.MEMBER) for _ in range(n)]


def _answer_all(p: Pulse, people: list, score: int, text: str = "") -> None:
    questions = list(p.questions.all())
    for person in people:
        answers = {q.pk: (score if q.kind == QuestionKind.SCALE else text) for q in questions}
        pulse.pulse_answer(pulse=p, user=person, answers=answers, now=OPEN_AT + timedelta(days=1))


def test_an_answer_has_no_path_to_a_person():
    """No foreign key to a user, no timestamp, a random key: nothing joins an answer to who gave it."""
    fields = PulseAnswer._meta.get_fields()
    related = {f.related_model for f in fields if f.is_relation}
    assert all(m is None or m._meta.label not in ("accounts.User", "reviews.PulseInvitation") for m in related)
    assert not [f for f in fields if isinstance(f, models.DateTimeField | models.DateField)]
    assert isinstance(PulseAnswer._meta.pk, models.UUIDField)
    # and who answered holds no answers
    invitation_fields = {f.name for f in PulseInvitation._meta.get_fields()}
    assert invitation_fields == {"id", "pulse", "user", "department", "answered"}


def test_opening_invites_both_teams_and_closes_at_the_input_deadline(opened, review, cmo, cio, member, outsider):
    deadline = min(i.deadline for i in review.inputs.all())
    assert opened.closes_at == deadline and opened.opens_at < deadline
    invited = set(PulseInvitation.objects.filter(pulse=opened).values_list("user__username", flat=True))
    assert {"cmo", "cio", "member", "liaison"} <= invited and "outsider" not in invited
    assert opened.invited_count == len(invited)
    assert opened.questions.count() == PulseQuestion.objects.filter(active=True).count() >= 5


def test_only_facilitator_or_executives_open_it_and_only_once(review, member, cmo):
    with pytest.raises(PermissionDenied):
        pulse.pulse_open(review=review, by=member)
    assert not Pulse.objects.exists()
    pulse.pulse_open(review=review, by=cmo)
    with pytest.raises(ValidationError):
        pulse.pulse_open(review=review, by=cmo)
    assert Pulse.objects.count() == 1


def test_a_second_answer_is_refused_and_nothing_more_is_saved(opened, member):
    q = opened.questions.filter(kind=QuestionKind.SCALE).first()
    now = OPEN_AT + timedelta(hours=1)
    pulse.pulse_answer(pulse=opened, user=member, answers={q.pk: 4}, now=now)
    with pytest.raises(ValidationError, match="already answered"):
        pulse.pulse_answer(pulse=opened, user=member, answers={q.pk: 1}, now=now)
    assert list(PulseAnswer.objects.values_list("score", flat=True)) == [4]
    assert PulseInvitation.objects.get(pulse=opened, user=member).answered


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"q": 6}, "1 to 5"),
        ({"q": 0}, "1 to 5"),
        ({"q": "high"}, "1 to 5"),
        ({999_999: 3}, "not in this pulse"),
        ({}, "at least one"),
    ],
)
def test_bad_answers_save_nothing(opened, member, answers, message):
    q = opened.questions.filter(kind=QuestionKind.SCALE).first()
    answers = {(q.pk if k == "q" else k): v for k, v in answers.items()}
    with pytest.raises(ValidationError, match=message):
        pulse.pulse_answer(pulse=opened, user=member, answers=answers, now=OPEN_AT + timedelta(hours=1))
    assert not PulseAnswer.objects.exists()
    assert not PulseInvitation.objects.get(pulse=opened, user=member).answered


def test_a_closed_pulse_refuses_answers(opened, member):
    q = opened.questions.first()
    with pytest.raises(ValidationError, match="closed"):
        pulse.pulse_answer(pulse=opened, user=member, answers={q.pk: 3}, now=opened.closes_at)
    assert not PulseAnswer.objects.exists()


def test_people_outside_the_taking_part_departments_cannot_answer(opened, outsider):
    q = opened.questions.first()
    with pytest.raises(PermissionDenied):
        pulse.pulse_answer(pulse=opened, user=outsider, answers={q.pk: 3}, now=OPEN_AT + timedelta(hours=1))
    assert not PulseAnswer.objects.exists()


def test_results_show_a_department_only_from_five_answers_with_the_gap(opened):
    it_people = _people(Department.IT, 5)
    marketing_people = _people(Department.MARKETING, 4)
    _answer_all(opened, it_people[:3], 5, "Earlier warnings")
    _answer_all(opened, it_people[3:], 4)
    _answer_all(opened, marketing_people, 2)
    data = pulse.results(opened, now=opened.closes_at)
    assert data["departments"] == ["it"] and data["hidden_departments"] == ["marketing"]
    first = data["questions"][0]
    assert first["by_department"] == {"it": 4.6} and first["gap"] is None
    assert data["respondents"] == 9
    assert data["texts"] == ["Earlier warnings"] * 3
    # the fifth marketing answer brings the department in, and the gap appears
    _answer_all(opened, _people(Department.MARKETING, 1), 3)
    data = pulse.results(opened, now=opened.closes_at)
    first = data["questions"][0]
    assert first["by_department"] == {"it": 4.6, "marketing": 2.2}
    assert first["gap"] == 2.4
    assert data["response_rate"] == round(100 * 10 / opened.invited_count)


def test_results_hide_free_text_below_the_threshold(opened):
    _answer_all(opened, _people(Department.IT, 4), 4, "Only four of us")
    assert pulse.results(opened, now=opened.closes_at)["texts"] == []


def test_trend_compares_quarters_in_a_fixed_number_of_queries(cmo, liaison, django_assert_num_queries):
    reviews = []
    with time_machine.travel(datetime(2025, 12, 1, tzinfo=UTC), tick=False):
        for quarter in (1, 2, 3):
            reviews.append(
                services.review_create(
                    by=cmo,
                    year=2026,
                    quarter=quarter,
                    scheduled_at=datetime(2026, quarter * 3, 20, 13, 0, tzinfo=UTC),
                    length_minutes=60,
                    location="Board room",
                    facilitator=liaison,
                    attendees=[cmo],
                )
            )
    it_people, marketing_people = _people(Department.IT, 5), _people(Department.MARKETING, 5)
    for i, r in enumerate(reviews):
        with time_machine.travel(datetime(2026, r.quarter * 3, 1, tzinfo=UTC), tick=False):
            p = pulse.pulse_open(review=r, by=cmo)
            for person, score in [(x, 5) for x in it_people] + [(x, 2 + i) for x in marketing_people]:
                q = {q.pk: score for q in p.questions.filter(kind=QuestionKind.SCALE)}
                pulse.pulse_answer(pulse=p, user=person, answers=q, now=p.opens_at + timedelta(hours=1))
    with django_assert_num_queries(4):
        data = pulse.trend()
    assert data["quarters"] == ["2026 Q1", "2026 Q2", "2026 Q3"]
    assert data["average"] == {"it": [5.0, 5.0, 5.0], "marketing": [2.0, 3.0, 4.0]}
    assert data["questions"][0]["gap"] == [3.0, 2.0, 1.0]
    upto = pulse.trend(upto=Pulse.objects.get(review=reviews[1]))
    assert upto["quarters"] == ["2026 Q1", "2026 Q2"]


def _sweep(now):
    result = engine.sweep(now=now)
    engine.deliveries_send(ids=result.pending_ids, now=now)


def test_invitation_once_and_one_reminder_two_days_before_closing_to_who_has_not_answered(opened, member, cmo):
    for hours in (0, 1, 30):
        _sweep(OPEN_AT + timedelta(hours=hours))
    assert Notification.objects.filter(kind="pulse_open", user=member).count() == 1
    q = opened.questions.first()
    pulse.pulse_answer(pulse=opened, user=member, answers={q.pk: 4}, now=OPEN_AT + timedelta(days=2))
    for hours in (-49, -48, -47, -10):
        _sweep(opened.closes_at + timedelta(hours=hours))
    assert Notification.objects.filter(kind="pulse_closing", user=cmo).count() == 1
    assert not Notification.objects.filter(kind="pulse_closing", user=member).exists()
    _sweep(opened.closes_at + timedelta(hours=1))
    assert (
        Notification.objects.filter(kind="pulse_closing").count()
        == Notification.objects.filter(kind="pulse_closing").values("user").distinct().count()
    )


def test_qbr_snapshot_keeps_the_pulse_as_it_was_at_lock(opened, review, liaison):
    it_people = _people(Department.IT, 5)
    _answer_all(opened, it_people, 4)
    with time_machine.travel(OPEN_AT + timedelta(days=2), tick=False):
        services.review_transition(review=review, by=liaison, to="collecting_input")
        review.refresh_from_db()
        services.review_transition(review=review, by=liaison, to="agenda_locked")
    review.refresh_from_db()
    frozen, is_frozen = facts.for_display(review)
    assert is_frozen
    before = next(s["data"] for s in frozen["sections"] if s["key"] == "pulse")
    _answer_all(opened, _people(Department.IT, 3), 1)
    _answer_all(opened, _people(Department.MARKETING, 5), 1)
    review.refresh_from_db()
    after, _ = facts.for_display(review)
    assert next(s["data"] for s in after["sections"] if s["key"] == "pulse") == before
    assert before == {
        "empty": f"The pulse is open until {opened.closes_at:%d %b %Y}; its results appear when it closes."
    }
    with time_machine.travel(opened.closes_at, tick=False):
        live = next(s["data"] for s in facts.compute(review)["sections"] if s["key"] == "pulse")
    assert live != before  # once closed, the live figures show; the frozen ones (taken while open) show nothing
    assert {"label": "Answers", "value": 13} in live["figures"]


def test_pulse_pages(client_as, opened, member, outsider):
    url = opened.get_absolute_url()
    with time_machine.travel(OPEN_AT + timedelta(hours=2), tick=False):
        assert client_as(member).get("/pulse/").url == url  # the open survey first
        form = client_as(member).get(url).content.decode()
        assert "Anonymous" in form and "Send my answers" in form
        questions = list(opened.questions.all())
        bad = client_as(member).post(url, {f"q{questions[0].pk}": "9"})
        assert bad.status_code == 422 and "1 to 5" in bad.content.decode()
        assert not PulseAnswer.objects.exists()
        ok = client_as(member).post(url, {f"q{q.pk}": "4" for q in questions if q.kind == QuestionKind.SCALE})
        assert ok.status_code == 302
        results = client_as(member).get(url).content.decode()
        assert "You have answered" in results and member.username not in results
        again = client_as(member).post(url, {f"q{questions[0].pk}": "1"})
        assert again.status_code == 422 and "already answered" in again.content.decode()
        denied = client_as(outsider).post(url, {f"q{questions[0].pk}": "1"})
        assert denied.status_code == 403
        assert PulseAnswer.objects.filter(score=1).count() == 0
        index = client_as(outsider).get("/pulse/")
        assert index.status_code == 200


def test_opening_from_the_review_page_is_denied_to_members(client_as, review, member):
    response = client_as(member).post("/pulse/open/2026/q4/")
    assert response.status_code == 403 and not Pulse.objects.exists()


def test_admin_lists_never_show_the_person_of_an_answer(client_as, opened, db):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    it_people = _people(Department.IT, 1)
    _answer_all(opened, it_people, 3)
    page = client_as(admin).get("/admin/reviews/pulseanswer/").content.decode()
    assert it_people[0].username not in page and it_people[0].get_full_name() not in page


def _everything_a_member_sees(client, p: Pulse, token: str) -> dict[str, str]:
    """Every page, export and API answer a member can fetch that could carry pulse figures, CSRF tokens cut."""
    import re

    pages = {}
    for url in ("/pulse/", p.get_absolute_url(), "/", "/reviews/", "/reviews/2026/q4/", "/reviews/2026/q4/print/",
                "/reviews/2026/q4/export.md"):  # fmt: skip
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        pages[url] = re.sub(
            r"(csrfmiddlewaretoken\" value=\"|X-CSRFToken\": \")[^\"]+", r"\1", response.content.decode()
        )
    for url in ("/api/reviews", "/api/reviews/2026/q4"):
        pages[url] = client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}").content.decode()
    return pages


def test_the_differencing_attack_finds_nothing_while_the_pulse_is_open(opened, client_as, member):
    from django.core.cache import cache

    from collab.accounts.services import api_token_create

    it_people = _people(Department.IT, 6)
    client = client_as(member)
    token = api_token_create(user=member, name="watcher").plaintext
    with time_machine.travel(OPEN_AT + timedelta(days=1, hours=1), tick=False):
        _answer_all(opened, it_people[:5], 4, "Fine")
        cache.clear()
        before = _everything_a_member_sees(client, opened, token)
        _answer_all(opened, it_people[5:], 1, "Only the sixth said this")
        cache.clear()
        after = _everything_a_member_sees(client, opened, token)
    for url in before:
        assert before[url] == after[url], url  # nothing moved with the sixth answer
    assert all("Only the sixth said this" not in page and "Fine" not in page for page in after.values())
    assert "results appear when it closes" in after[opened.get_absolute_url()].lower()


def test_after_closing_results_and_free_text_appear_not_in_submission_order(opened, client_as, member):
    people = _people(Department.IT, 6)
    texts = [f"Idea number {i}" for i in range(6)]
    for person, text in zip(people, texts, strict=True):
        _answer_all(opened, [person], 4, text)
    with time_machine.travel(opened.closes_at + timedelta(minutes=1), tick=False):
        data = pulse.results(opened)
        page = client_as(member).get(opened.get_absolute_url()).content.decode()
    assert sorted(data["texts"]) == texts and data["texts"] != texts and data["texts"] != texts[::-1]
    assert data["departments"] == ["it"] and data["questions"][0]["by_department"] == {"it": 4.0}
    shown = [t for t in page.split("<li>") if t.startswith("Idea number")]
    assert [t.split("<")[0] for t in shown] == data["texts"] and "6 of" in page
    assert pulse.results(opened, now=opened.closes_at - timedelta(seconds=1))["open"] is True

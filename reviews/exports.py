"""A review as a print-ready page, a PDF of it, Markdown, and an .ics invitation."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from collab.lib import pdf as pdfs
from collab.lib.urls import absolute_url
from reviews import facts, selectors
from reviews.models import Review

PdfUnavailable = pdfs.PdfUnavailable


def context(review: Review, user: Any) -> dict[str, Any]:
    """What the print view, the PDF and the Markdown show ``user``: snags only where they may open them."""
    facts_data, frozen = facts.for_display(review, user)
    decisions = list(review.decisions.select_related("item"))
    selectors.hide_snag_mentions(user, decisions, [])
    return {
        "review": review,
        "items": selectors.agenda(review, user),
        "prep": selectors.preparation(review),
        "facts": facts_data,
        "facts_frozen": frozen,
        "inputs": list(review.inputs.all()),
        "decisions": decisions,
        "actions": list(review.action_items.select_related("owner")),
        "attendees": list(review.attendees.order_by("first_name")),
        "addenda": list(review.addenda.select_related("by")),
    }


def markdown(review: Review, user: Any) -> str:
    return render_to_string("reviews/export.md", context(review, user))


def pdf(review: Review, user: Any) -> bytes:
    """The print page as a PDF; its stylesheet is read from disk, and nothing else is fetched (``collab.lib.pdf``)."""
    html = render_to_string("reviews/print.html", {**context(review, user), "for_pdf": True})
    return pdfs.html_to_pdf(html)


def ics(review: Review, user: Any) -> bytes:
    from icalendar import Calendar, Event, vCalAddress, vText

    cal = Calendar()
    cal.add("prodid", "-//Collab//Quarterly business review//EN")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"qbr-{review.year}-q{review.quarter}@collab")
    event.add("summary", f"Quarterly business review {review.label}")
    event.add("dtstart", review.scheduled_at)
    event.add("dtend", review.ends_at)
    event.add("dtstamp", review.updated_at)
    if review.location:
        event.add("location", review.location)
    event.add("url", absolute_url(review.get_absolute_url()))
    agenda = "\n".join(
        f"{i + 1}. {item.title} ({item.time_box_minutes} min)" for i, item in enumerate(selectors.agenda(review, user))
    )
    event.add("description", f"Agenda:\n{agenda}" if agenda else "Agenda to follow.")
    organizer = vCalAddress(f"mailto:{review.facilitator.email or 'collab@localhost'}")
    organizer.params["cn"] = vText(review.facilitator.display_name)
    event["organizer"] = organizer
    for person in review.attendees.all():
        if person.email:
            attendee = vCalAddress(f"mailto:{person.email}")
            attendee.params["cn"] = vText(person.display_name)
            event.add("attendee", attendee, encode=False)
    cal.add_component(event)
    return cal.to_ical()


def calendar_events(user: Any) -> list[dict[str, Any]]:
    """QBRs for a person's private calendar feed (the ``calendar.events`` hook): the ones they attend or
    facilitate, from a quarter back on."""
    from datetime import timedelta

    from django.db.models import Q
    from django.utils import timezone

    since = timezone.now() - timedelta(days=100)
    reviews = (
        Review.objects.filter(Q(attendees=user) | Q(facilitator=user), scheduled_at__gte=since)
        .distinct()
        .order_by("scheduled_at")
    )
    return [
        {
            "uid": f"qbr-{r.year}-q{r.quarter}@collab",
            "summary": f"Quarterly business review {r.label}",
            "start": r.scheduled_at,
            "end": r.ends_at,
            "location": r.location,
            "url": absolute_url(r.get_absolute_url()),
        }
        for r in reviews
    ]

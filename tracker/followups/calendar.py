"""The iCalendar feed of a user's open follow-ups, for Outlook or any calendar."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

import icalendar
from flask_babel import gettext as _

from tracker.models import FollowUp, User

PRODID = "-//Cluster Support Tracker//Follow-ups//EN"


def build_calendar(
    user: User,
    followups: Iterable[FollowUp],
    *,
    host: str,
    link: Callable[[FollowUp], str],
    now: datetime | None = None,
) -> bytes:
    """One all-day event per follow-up, on its due date, with a UID that never changes.

    `link` gives the absolute URL a person opens from the calendar entry (the company's page).
    The texts are in the current language: the caller picks the user's (tracker.i18n).
    """
    stamp = now or datetime.now(UTC)
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", _("Follow-ups — %(name)s", name=user.name))
    # Ask subscribed clients to refresh hourly rather than daily.
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    for followup in followups:
        url = link(followup)
        event = icalendar.Event()
        event.add("uid", f"followup-{followup.id}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", followup.due_on)
        event.add("dtend", followup.due_on + timedelta(days=1))
        event.add("summary", f"{followup.title} — {followup.company.legal_name}")
        description = [followup.notes.strip(), url] if followup.notes.strip() else [url]
        event.add("description", "\n\n".join(description))
        event.add("url", url)
        event.add("transp", "TRANSPARENT")  # a reminder, not a busy slot
        calendar.add_component(event)
    return calendar.to_ical()

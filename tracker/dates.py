"""Calendar dates in the agency's time zone (Europe/Luxembourg)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

AGENCY_TZ = ZoneInfo("Europe/Luxembourg")


def today() -> date:
    """Today's date in Luxembourg, whatever the server's time zone."""
    return datetime.now(AGENCY_TZ).date()

"""Exceptions that services raise for the views to turn into messages."""

from __future__ import annotations


class ValidationError(ValueError):
    """A business rule refused the change; the message is meant for the user."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotAllowed(PermissionError):
    """The acting user may not do this to this record (shown as a 403 page)."""

"""Presentation helpers shared by the support, follow-up and event pages."""

from __future__ import annotations

from decimal import Decimal

from flask import current_app, url_for

from tracker.i18n import format_money


def format_eur(value: Decimal | None) -> str:
    """`€120,000.00`, `120 000,00 €`, `120.000,00 €` by the page's language; empty for None."""
    return format_money(value)


def company_url(company_id: int, *, external: bool = False) -> str | None:
    """The company's page, or None while the companies blueprint has no detail page."""
    if "companies.detail" not in current_app.view_functions:
        return None
    return url_for("companies.detail", company_id=company_id, _external=external)

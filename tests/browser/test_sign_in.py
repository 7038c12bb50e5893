"""A person signs in, sees the dashboard for their role, and signs out."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests import factories


def test_sign_in_and_sign_out(live_server, users, page, screenshot):
    page.goto(f"{live_server.url}/admin/users")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    screenshot("login")

    page.get_by_label("E-mail").fill("admin@example.lu")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Invalid e-mail or password.")

    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_label("Password").press("Enter")
    expect(page).to_have_url(f"{live_server.url}/admin/users")
    expect(page.get_by_role("heading", name="Users")).to_be_visible()
    screenshot("admin-users")

    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Good to see you, Admin Tester")
    expect(page.get_by_test_id("role")).to_have_text("Admin")
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin")
    ).to_be_visible()
    expect(page.get_by_test_id("clusters")).to_contain_text("Materials & Manufacturing")
    screenshot("dashboard-admin")

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_role("alert")).to_contain_text("You are signed out.")
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/login\?next=%2F$"))


def test_advisor_navigation_has_no_admin(live_server, users, page, screenshot):
    page.goto(f"{live_server.url}/login")
    page.get_by_label("E-mail").fill("advisor@example.lu")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("role")).to_have_text("Advisor")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link")).to_have_text(
        [
            "Dashboard",
            "Companies",
            "Log a contact",
            "Follow-ups",
            "Events",
            "Pipeline",
            "Reports",
            "Import & export",
        ]
    )
    screenshot("dashboard-advisor")
    page.goto(f"{live_server.url}/admin/")
    expect(page.get_by_role("heading", name="Access denied")).to_be_visible()

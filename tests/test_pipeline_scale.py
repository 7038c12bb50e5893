"""The pipeline at an agency's scale: the workload lists advisors a page at a time (its totals
over all of them); a board column counts its cards up to a cap."""

from __future__ import annotations

import re

from tests import factories
from tracker.extensions import db
from tracker.models import SolutionStatus
from tracker.pipeline import queries


def advisor_rows(html: str) -> list[str]:
    return re.findall(r'<th scope="row" class="fw-normal">([^<]+)</th>', html)


def test_advisors_come_a_page_at_a_time_with_the_total_of_all(app, client, login_as, users):
    with app.app_context():
        for n in range(30):
            info = factories.make_user(email=f"advisor{n:02d}@example.lu", name=f"Adv {n:02d}")
            factories.make_company(f"Company {n:02d} S.A.", owner_id=info.id)
        db.session.commit()
    login_as("manager")
    first = client.get("/pipeline/workload").get_data(as_text=True)
    second = client.get("/pipeline/workload?page=2").get_data(as_text=True)
    page_size = app.config["PAGE_SIZE"]
    on_first, on_second = advisor_rows(first), advisor_rows(second)
    # 30 advisors made here and the advisor of the `users` fixture, by name.
    assert len(on_first) == page_size
    assert on_first[:3] == ["Adv 00", "Adv 01", "Adv 02"]
    assert len(on_first) + len(on_second) == 31
    assert not set(on_first) & set(on_second)
    assert "Pages of advisors" in first
    # The total counts every advisor's portfolio, not only the page's.
    total = re.search(r'<th scope="row">Total</th>\s*<td class="text-end num">(\d+)</td>', first)
    assert total is not None and int(total.group(1)) == 30


def test_a_board_column_counts_up_to_the_cap_then_says_more(app, client, login_as, monkeypatch):
    with app.app_context():
        company = factories.make_company(owner_id=None)
        for _ in range(4):
            factories.make_solution(factories.make_need(company))
        factories.make_solution(factories.make_need(company), status=SolutionStatus.SUBMITTED)
        db.session.commit()
    monkeypatch.setattr(queries, "BOARD_COUNT_CAP", 3)
    monkeypatch.setattr(queries, "BOARD_LIMIT", 2)
    login_as("manager")
    html = client.get("/pipeline/board").get_data(as_text=True)
    suggested = re.search(r'data-testid="count-suggested">([^<]+)<', html)
    submitted = re.search(r'data-testid="count-submitted">([^<]+)<', html)
    assert suggested is not None and suggested.group(1) == "3+"
    assert submitted is not None and submitted.group(1) == "1"
    assert ">Show all<" in html  # the capped column: its page has the exact count
    column = client.get("/pipeline/board?column=suggested").get_data(as_text=True)
    assert column.count("data-card data-status") == 2  # a page of BOARD_LIMIT cards
    assert "1–2 of 4" in column  # and the exact count

"""Events: the services' rules, the pages, who took part, and bad input."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from tests import factories
from tests.helpers import count_statements, form_version
from tracker.common.errors import ValidationError
from tracker.events import services
from tracker.extensions import db
from tracker.models import AuditEntry, Cluster, Company, Event, EventFormat, Person, User

TODAY = date(2026, 11, 25)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr("tracker.dates.today", lambda: TODAY)


@dataclass
class World:
    cluster_id: int
    event_id: int
    company_ids: list[int]  # Moselle, Ardennes, Luxlait (archived)
    person_ids: list[int]  # Anne (Moselle), Bob (Moselle), Carla (Ardennes)


@pytest.fixture
def world(app, users) -> World:
    with app.app_context():
        cluster = db.session.scalars(db.select(Cluster)).one()
        moselle = factories.make_company("Moselle Precision Castings")
        ardennes = factories.make_company("Ardennes Wood Works", trade_name="AWW")
        archived = factories.make_company("Moselle Old Foundry", archived=True)
        anne = factories.make_person(moselle, "Anne Schmit", job_title="CEO")
        bob = factories.make_person(moselle, "Bob Weber")
        carla = factories.make_person(ardennes, "Carla Muller")
        event = factories.make_event(
            "Webinar: energy prices", on=TODAY - timedelta(days=7), cluster=cluster,
            partners="Materalia\nSkywin",
        )  # fmt: skip
        db.session.commit()
        return World(
            cluster.id,
            event.id,
            [moselle.id, ardennes.id, archived.id],
            [anne.id, bob.id, carla.id],
        )


def actor(users, role: str = "advisor") -> User:
    return db.session.get(User, users[role].id)


def rows(app) -> tuple[int, ...]:
    with app.app_context():
        return (
            db.session.scalar(db.select(db.func.count(AuditEntry.id))),
            db.session.scalar(db.select(db.func.count(Event.id))),
            len(db.session.get(Event, _first_event_id()).companies),
            len(db.session.get(Event, _first_event_id()).people),
        )


def _first_event_id() -> int:
    return db.session.scalar(db.select(db.func.min(Event.id)))


# Services


def test_creating_and_updating_an_event_is_audited(app, users, world):
    with app.app_context():
        event = services.create_event(
            title="  Workshop: Industry 4.0 ",
            held_on=TODAY,
            format=EventFormat.ON_SITE,
            partners="Materalia; MecaTech\n\n Skywin ",
            actor=actor(users),
        )
        assert event.title == "Workshop: Industry 4.0"
        assert event.partner_list == ["Materalia", "MecaTech", "Skywin"]
        services.update_event(
            event,
            title="Workshop",
            held_on=TODAY,
            format=EventFormat.WEBINAR,
            cluster=db.session.get(Cluster, world.cluster_id),
            actor=actor(users, "manager"),
        )
        db.session.commit()
        entries = db.session.scalars(
            db.select(AuditEntry)
            .where(AuditEntry.record_type == "Event", AuditEntry.record_id == event.id)
            .order_by(AuditEntry.id)
        ).all()
        assert [e.action for e in entries] == ["create", "update"]
        assert entries[1].user_id == users["manager"].id
        assert entries[1].changes["format"] == ["on_site", "webinar"]
        with pytest.raises(ValidationError, match="title") as error:
            services.create_event(
                title=" ", held_on=TODAY, format=EventFormat.WEBINAR, actor=actor(users)
            )
        assert error.value.field == "title"


def test_updating_an_event_someone_changed_meanwhile_is_refused(app, users, world):
    with app.app_context():
        event = db.session.get(Event, world.event_id)
        seen = event.version
        services.update_event(
            event,
            title="Renamed by a colleague",
            held_on=TODAY,
            format=EventFormat.WEBINAR,
            actor=actor(users),
            version=seen,
        )
        db.session.commit()
        with pytest.raises(ValidationError, match="Someone else saved this event"):
            services.update_event(
                event,
                title="Mine",
                held_on=TODAY,
                format=EventFormat.WEBINAR,
                actor=actor(users),
                version=seen,
            )


def test_participants_must_work_at_a_participating_company(app, users, world):
    with app.app_context():
        event = db.session.get(Event, world.event_id)
        moselle = db.session.get(Company, world.company_ids[0])
        carla = db.session.get(Person, world.person_ids[2])  # works at Ardennes
        with pytest.raises(ValidationError, match="participating companies") as error:
            services.set_participants(
                event, companies=[moselle], people=[carla], actor=actor(users)
            )
        assert error.value.field == "people"
        anne = db.session.get(Person, world.person_ids[0])
        services.set_participants(
            event, companies=[moselle, moselle], people=[anne], actor=actor(users)
        )
        assert event.companies == [moselle] and event.people == [anne]


def test_adding_and_removing_participants(app, users, world):
    with app.app_context():
        event = db.session.get(Event, world.event_id)
        moselle, ardennes, archived = (db.session.get(Company, i) for i in world.company_ids)
        services.add_participants(event, [moselle, ardennes], actor=actor(users))
        people = [db.session.get(Person, i) for i in world.person_ids]
        services.set_participants(
            event, companies=event.companies, people=people, actor=actor(users)
        )
        with pytest.raises(ValidationError, match="Archived companies cannot be added"):
            services.add_participants(event, [archived], actor=actor(users))
        services.remove_participant(event, moselle, actor=actor(users))
        db.session.commit()
        assert [c.id for c in event.companies] == [ardennes.id]
        assert [p.name for p in event.people] == ["Carla Muller"]


# Pages: who may see them


def event_urls(world: World) -> list[tuple[str, str]]:
    e = world.event_id
    return [
        ("get", "/events"),
        ("get", "/events/new"),
        ("post", "/events/new"),
        ("get", f"/events/{e}"),
        ("get", f"/events/{e}/edit"),
        ("post", f"/events/{e}/edit"),
        ("get", f"/events/{e}/participants"),
        ("post", f"/events/{e}/participants"),
    ]


def test_viewers_get_403_on_every_event_page(app, client, login_as, world):
    login_as("viewer")
    before = rows(app)
    for method, url in event_urls(world):
        response = getattr(client, method)(
            url, data={"title": "x", "held_on": "2026-11-01", "format": "webinar"}
        )
        assert response.status_code == 403, url
    assert rows(app) == before


def test_signed_out_visitors_are_sent_to_sign_in(client, world):
    for method, url in event_urls(world):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["admin", "manager", "advisor"])
def test_staff_reach_every_event_page(client, login_as, world, role):
    login_as(role)
    for method, url in event_urls(world):
        if method == "get":
            assert client.get(url).status_code == 200, url
    assert client.get("/events/99999").status_code == 404
    assert client.get("/events/99999/participants").status_code == 404


# Pages: the list


def test_the_list_is_newest_first_filtered_and_counts_companies(app, client, login_as, world):
    with app.app_context():
        wood = factories.make_cluster("wood", "Wood")
        old = factories.make_event("Matchmaking 2025", on=date(2025, 3, 4), cluster=wood)
        factories.make_event("Site visit", on=TODAY, format=EventFormat.ON_SITE)
        old.companies = [db.session.get(Company, i) for i in world.company_ids[:2]]
        db.session.commit()
        wood_id = wood.id
    login_as("advisor")
    html = client.get("/events").get_data(as_text=True)
    assert (
        html.index("Site visit")
        < html.index("Webinar: energy prices")
        < html.index("Matchmaking 2025")
    )
    assert "Materalia, Skywin" in html and "On site" in html and "Webinar" in html
    assert '<td class="text-end num">2</td>' in html
    by_cluster = client.get(f"/events?cluster={wood_id}").get_data(as_text=True)
    assert "Matchmaking 2025" in by_cluster and "Site visit" not in by_cluster
    by_year = client.get("/events?year=2025").get_data(as_text=True)
    assert "Matchmaking 2025" in by_year and "Webinar: energy prices" not in by_year
    nothing = client.get(f"/events?cluster={world.cluster_id}&year=2025").get_data(as_text=True)
    assert "No event matches these filters." in nothing
    # Nonsense in the address shows every event rather than an error.
    for query in ("year=abc", "year=0", "cluster=abc", "page=abc"):
        response = client.get(f"/events?{query}")
        assert response.status_code == 200, query
        assert "Site visit" in response.get_data(as_text=True)


def test_the_list_is_paginated(app, client, login_as, world):
    with app.app_context():
        for i in range(30):
            factories.make_event(f"Event number {i:02d}", on=TODAY - timedelta(days=100 + i))
        db.session.commit()
    login_as("advisor")
    first = client.get("/events").get_data(as_text=True)
    assert "Event number 00" in first and "Event number 29" not in first
    second = client.get("/events?page=2").get_data(as_text=True)
    assert "Event number 29" in second and "26–31 of 31" in second


def test_an_empty_list_says_what_to_do(client, login_as, users):
    login_as("advisor")
    assert "No events yet — record the first" in client.get("/events").get_data(as_text=True)


# Pages: creating and editing


def test_creating_an_event_through_the_page(app, client, login_as, users, world):
    login_as("advisor")
    response = client.post(
        "/events/new",
        data={
            "title": "Workshop: hydrogen",
            "held_on": "2026-12-10",
            "format": "on_site",
            "cluster": str(world.cluster_id),
            "partners": "Materalia\nMecaTech",
            "description": "Hosted at the Technoport",
            "created_by_id": str(users["admin"].id),  # not offered: ignored
        },
    )
    assert response.status_code == 302
    with app.app_context():
        event = db.session.scalars(
            db.select(Event).where(Event.title == "Workshop: hydrogen")
        ).one()
        assert (event.held_on, event.format, event.cluster_id, event.created_by_id) == (
            date(2026, 12, 10),
            EventFormat.ON_SITE,
            world.cluster_id,
            users["advisor"].id,
        )
        assert response.headers["Location"] == f"/events/{event.id}/participants"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": " "}, "Give the event a title."),
        ({"held_on": "10/12/2026"}, "Not a valid date value."),
        ({"held_on": ""}, "Enter a date, like 2026-11-27."),
        ({"format": "hybrid"}, "Not a valid choice."),
        ({"cluster": "99999"}, "Choose a cluster from the list."),
        ({"cluster": "wood"}, "Choose a cluster from the list."),
        ({"partners": "p" * 2001}, "Field cannot be longer than 2000 characters."),
    ],
)
def test_bad_events_are_explained_and_nothing_is_written(
    app, client, login_as, world, data, message
):
    login_as("advisor")
    before = rows(app)
    for url in ("/events/new", f"/events/{world.event_id}/edit"):
        response = client.post(
            url, data={"title": "Workshop", "held_on": "2026-12-10", "format": "webinar", **data}
        )
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        assert message in html, url
        assert 'aria-invalid="true"' in html
    assert rows(app) == before
    with app.app_context():
        assert db.session.get(Event, world.event_id).title == "Webinar: energy prices"


def test_editing_an_event_through_the_page(app, client, login_as, world):
    login_as("manager")
    page = client.get(f"/events/{world.event_id}/edit").get_data(as_text=True)
    assert 'value="Webinar: energy prices"' in page
    version = page.split('name="version" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        f"/events/{world.event_id}/edit",
        data={
            "title": "Webinar: energy prices in 2027",
            "held_on": "2026-11-18",
            "format": "webinar",
            "cluster": "",
            "partners": "Skywin",
            "version": version,
        },
    )
    assert response.headers["Location"] == f"/events/{world.event_id}"
    with app.app_context():
        event = db.session.get(Event, world.event_id)
        assert (event.title, event.cluster_id, event.partner_list) == (
            "Webinar: energy prices in 2027",
            None,
            ["Skywin"],
        )


def test_editing_an_event_someone_changed_meanwhile_is_refused(app, client, login_as, world):
    login_as("manager")
    page = client.get(f"/events/{world.event_id}/edit").get_data(as_text=True)
    version = page.split('name="version" type="hidden" value="')[1].split('"')[0]
    with app.app_context():
        db.session.get(Event, world.event_id).title = "Renamed by a colleague"
        db.session.commit()
    response = client.post(
        f"/events/{world.event_id}/edit",
        data={"title": "Mine", "held_on": "2026-11-18", "format": "webinar", "version": version},
    )
    html = response.get_data(as_text=True)
    assert "Someone else saved this event" in html
    assert 'value="Mine"' in html  # the user's input is kept
    with app.app_context():
        assert db.session.get(Event, world.event_id).title == "Renamed by a colleague"


# Pages: who took part


def test_searching_adding_and_ticking_participants(app, client, login_as, world):
    moselle, ardennes, _archived = world.company_ids
    anne, _bob, carla = world.person_ids
    login_as("advisor")
    url = f"/events/{world.event_id}/participants"
    found = client.get(f"{url}?q=moselle").get_data(as_text=True)
    assert "Moselle Precision Castings" in found
    assert "Moselle Old Foundry" not in found  # archived companies cannot take part
    assert "Ardennes" not in found
    by_trade_name = client.get(f"{url}?q=aww").get_data(as_text=True)
    assert f'value="{ardennes}"' in by_trade_name
    assert "Type at least 2 letters" in client.get(f"{url}?q=m").get_data(as_text=True)
    assert "No company" in client.get(f"{url}?q=%25_").get_data(as_text=True)

    response = client.post(
        url,
        data={
            "add-companies": [str(moselle), str(ardennes)],
            "add-submit": "Add",
            "add-version": form_version(found, "add-version"),
        },
    )
    assert response.status_code == 302
    page = client.get(f"{url}?q=moselle").get_data(as_text=True)
    assert "Anne Schmit" in page and "Carla Muller" in page
    assert f'id="candidate-{moselle}"' not in page  # already taking part

    client.post(
        url,
        data={
            "people-people": [str(anne), str(carla)],
            "people-submit": "Save",
            "people-version": form_version(page, "people-version"),
        },
    )
    with app.app_context():
        event = db.session.get(Event, world.event_id)
        assert {c.id for c in event.companies} == {moselle, ardennes}
        assert {p.id for p in event.people} == {anne, carla}

    detail = client.get(f"/events/{world.event_id}").get_data(as_text=True)
    assert detail.index("Ardennes Wood Works") < detail.index("Moselle Precision Castings")
    assert "Anne Schmit" in detail and "Bob Weber" not in detail

    page = client.get(url).get_data(as_text=True)
    client.post(
        url,
        data={
            "people-remove": str(moselle),
            "people-version": form_version(page, "people-version"),
        },
    )
    with app.app_context():
        event = db.session.get(Event, world.event_id)
        assert [c.id for c in event.companies] == [ardennes]
        assert [p.id for p in event.people] == [carla]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"add-companies": "archived", "add-submit": "Add"}, "archived companies cannot"),
        ({"add-companies": "99999", "add-submit": "Add"}, "archived companies cannot"),
        ({"add-companies": "abc", "add-submit": "Add"}, "Choose companies from the search"),
        ({"people-people": "carla", "people-submit": "Save"}, "Choose people of the"),
        ({"people-people": "99999", "people-submit": "Save"}, "Choose people of the"),
        ({"people-remove": "ardennes"}, "That company is not among the participants."),
    ],
)
def test_bad_participant_changes_are_explained_and_nothing_is_written(
    app, client, login_as, users, world, data, message
):
    moselle, ardennes, archived = world.company_ids
    with app.app_context():
        event = db.session.get(Event, world.event_id)
        event.companies = [db.session.get(Company, moselle)]
        event.people = [db.session.get(Person, world.person_ids[0])]
        db.session.commit()
    ids = {"archived": str(archived), "carla": str(world.person_ids[2]), "ardennes": str(ardennes)}
    data = {k: ids.get(v, v) for k, v in data.items()}
    login_as("advisor")
    before = rows(app)
    response = client.post(f"/events/{world.event_id}/participants", data=data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert rows(app) == before


# The number of SQL statements does not grow with the data


def test_list_and_detail_send_the_same_statements_for_3_or_30_rows(
    app, client, login_as, users, world
):
    with app.app_context():
        cluster = db.session.get(Cluster, world.cluster_id)
        small = factories.make_event("Small", on=TODAY, cluster=cluster)
        large = factories.make_event("Large", on=TODAY, cluster=cluster)
        for event, n in ((small, 3), (large, 30)):
            for i in range(n):
                company = factories.make_company(f"{event.title} company {i}")
                event.companies.append(company)
                event.people.append(factories.make_person(company, f"Person {i}"))
        db.session.commit()
        small_id, large_id = small.id, large.id
    login_as("advisor")
    counts = []
    for url in (f"/events/{small_id}", f"/events/{large_id}"):
        with count_statements(app) as statements:
            assert client.get(url).status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]

    list_counts = []
    for total in (3, 30):
        with app.app_context():
            have = db.session.scalar(db.select(db.func.count(Event.id)))
            for i in range(have, total):
                extra = factories.make_event(
                    f"Extra {i}", on=TODAY - timedelta(days=i), cluster_id=world.cluster_id
                )
                extra.companies.append(db.session.get(Company, world.company_ids[0]))
            db.session.commit()
        with count_statements(app) as statements:
            assert client.get("/events").status_code == 200
        list_counts.append(len(statements))
    assert list_counts[0] == list_counts[1]

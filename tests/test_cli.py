"""The flask commands, through Flask's CLI runner."""

from __future__ import annotations

from tracker.extensions import db
from tracker.models import Cluster, Role, User


def test_users_create_with_clusters(app, runner):
    runner.invoke(args=["clusters", "create", "--slug", "wood", "--name", "Wood"])
    result = runner.invoke(
        args=[
            "users", "create", "--email", "Anne@Agency.lu", "--name", "Anne Muller",
            "--role", "manager", "--password", "a long enough secret", "--cluster", "WOOD",
        ]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Created manager anne@agency.lu." in result.stdout
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == "anne@agency.lu"))
        assert user.role is Role.MANAGER
        assert [c.slug for c in user.clusters] == ["wood"]


def test_users_create_prompts_for_a_hidden_password(app, runner):
    result = runner.invoke(
        args=["users", "create", "--email", "p@agency.lu", "--name", "P", "--role", "viewer"],
        input="prompted secret pass\nprompted secret pass\n",
    )
    assert result.exit_code == 0, result.output
    assert "prompted secret pass" not in result.output
    with app.app_context():
        assert db.session.scalar(db.select(User).where(User.email == "p@agency.lu")) is not None


def _create(runner, *extra):
    return runner.invoke(
        args=["users", "create", "--email", "x@agency.lu", "--name", "X", "--role", "advisor",
              "--password", "a long enough secret", *extra]
    )  # fmt: skip


def test_users_create_refuses_bad_input_with_one_line_on_stderr(app, runner):
    assert _create(runner).exit_code == 0
    duplicate = _create(runner)
    assert duplicate.exit_code != 0
    assert duplicate.stderr.strip() == "Error: A user with the e-mail x@agency.lu already exists."
    unknown = runner.invoke(
        args=["users", "create", "--email", "y@agency.lu", "--name", "Y", "--role", "advisor",
              "--password", "a long enough secret", "--cluster", "nowhere"]
    )  # fmt: skip
    assert unknown.exit_code != 0
    assert "Unknown cluster: nowhere." in unknown.stderr
    weak = runner.invoke(
        args=["users", "create", "--email", "z@agency.lu", "--name", "Z", "--role", "advisor",
              "--password", "short"]
    )  # fmt: skip
    assert weak.exit_code != 0 and "at least 12 characters" in weak.stderr
    bad_role = runner.invoke(
        args=["users", "create", "--email", "w@agency.lu", "--name", "W", "--role", "king",
              "--password", "a long enough secret"]
    )  # fmt: skip
    assert bad_role.exit_code != 0 and "king" in bad_role.stderr
    assert len(bad_role.stderr.strip().splitlines()) == 1, "a usage error is one line too"
    assert "Traceback" not in duplicate.output + unknown.output + weak.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(User.id))) == 1


def test_clusters_create(app, runner):
    result = runner.invoke(
        args=["clusters", "create", "--slug", "materials-manufacturing",
              "--name", "Materials & Manufacturing"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    again = runner.invoke(
        args=["clusters", "create", "--slug", "materials-manufacturing", "--name", "Other"]
    )
    assert again.exit_code != 0
    assert "already exists" in again.stderr
    bad = runner.invoke(args=["clusters", "create", "--slug", "Not A Slug", "--name", "Bad"])
    assert bad.exit_code != 0 and "lower-case" in bad.stderr
    with app.app_context():
        assert db.session.scalars(db.select(Cluster.slug)).all() == ["materials-manufacturing"]


def test_seed_demo_fills_an_empty_database_then_refuses(app, runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    for role in ("admin", "manager", "advisor", "viewer"):
        assert f"  {role}" in result.stdout
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(User.id))) == 10
        assert db.session.scalar(db.select(db.func.count(Cluster.id))) == 4
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code != 0
    assert "not empty" in again.stderr
    assert len(again.stderr.strip().splitlines()) == 1


def test_seed_demo_refuses_a_database_with_a_user(app, runner):
    _create(runner)
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code != 0
    assert "not empty" in result.stderr
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Cluster.id))) == 0


def test_seed_demo_if_empty_leaves_existing_data_alone(app, runner):
    _create(runner)
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0
    assert "already holds data" in result.stdout
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(User.id))) == 1

"""Sign-in limits shared by several workers through Redis, and what happens when Redis is away.

Each "worker" is a separate Python process with its own app, as under gunicorn, so that nothing
but the storage can carry the count from one to the other. Redis runs on 127.0.0.1:6379 on the
project's machines and in CI (TEST_REDIS_URL chooses another); every run uses its own key prefix
and deletes its keys.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import click
import pytest
import redis

import config as settings
from tests.isolated_apps import extra_app
from tracker import create_app
from tracker.extensions import limiter
from tracker.security import RateLimitStorageUnavailable

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
ROOT = Path(__file__).resolve().parent.parent
LIMIT = "3 per minute"

WORKER = """
import json, sys
from config import TestingConfig
from tracker import create_app

config = TestingConfig()  # reads TEST_DATABASE_URL, RATELIMIT_STORAGE_URI, RATELIMIT_KEY_PREFIX
config.LOGIN_RATE_LIMIT = sys.argv[2]
client = create_app(config).test_client()
if sys.argv[3] == "wait":
    sys.stdin.readline()  # until the other worker is done
answers = []
for _ in range(int(sys.argv[1])):
    response = client.post(
        "/login", data={"email": "advisor@example.lu", "password": "wrong password!!"}
    )
    answers.append([response.status_code, response.get_data(as_text=True)])
print(json.dumps(answers))
"""


@pytest.fixture
def redis_prefix():
    """A key prefix of this test alone; its keys are deleted afterwards."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.fail(f"Redis does not answer at {REDIS_URL} ({error}); start redis-server.")
    prefix = f"tracker-test-{uuid.uuid4().hex}"
    yield prefix
    keys = list(client.scan_iter(match=f"*{prefix}*"))
    if keys:
        client.delete(*keys)
    assert not list(client.scan_iter(match=f"*{prefix}*"))
    client.close()


def start_worker(
    database_url: str, storage: str, prefix: str, attempts: int, *, wait: bool = False
) -> subprocess.Popen:
    """A separate process with its own app that makes `attempts` failed sign-ins."""
    env = {
        **os.environ,
        "TEST_DATABASE_URL": database_url,
        "RATELIMIT_STORAGE_URI": storage,
        "RATELIMIT_KEY_PREFIX": prefix,
    }
    return subprocess.Popen(
        [sys.executable, "-c", WORKER, str(attempts), LIMIT, "wait" if wait else "go"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def answers_of(worker: subprocess.Popen) -> list[list]:
    """Let the worker go (if it waits) and return its [status, page] pairs."""
    out, err = worker.communicate(input="go\n", timeout=120)
    assert worker.returncode == 0, err
    return json.loads(out.strip().splitlines()[-1])


def two_workers(database_url: str, storage: str, prefix: str) -> tuple[list[list], list]:
    """Three attempts in one worker, then one in another; both start at once, to save time."""
    first = start_worker(database_url, storage, prefix, 3)
    second = start_worker(database_url, storage, prefix, 1, wait=True)
    try:
        return answers_of(first), answers_of(second)[0]
    finally:
        for worker in (first, second):
            if worker.poll() is None:
                worker.kill()
                worker.wait()


def test_two_workers_share_the_count_through_redis(database_url, users, redis_prefix):
    first, (status, page) = two_workers(database_url, REDIS_URL, redis_prefix)
    assert [s for s, _page in first] == [200, 200, 200]
    assert status == 429, "the fourth attempt, made in another worker, is refused"
    assert "Too many attempts in a short time. Wait a minute and try again." in page
    assert redis.Redis.from_url(REDIS_URL).keys(f"*{redis_prefix}*"), "the counts are in Redis"


def test_in_memory_each_worker_counts_alone(database_url, users, redis_prefix):
    # The control: without Redis the second worker knows nothing of the first one's attempts.
    first, (status, _page) = two_workers(database_url, "memory://", redis_prefix)
    assert [s for s, _page in first] == [200, 200, 200]
    assert status == 200


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _config(storage: str) -> settings.TestingConfig:
    config = settings.TestingConfig()
    config.RATELIMIT_STORAGE_URI = storage
    config.RATELIMIT_STORAGE_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 2}
    config.LOGIN_RATE_LIMIT = LIMIT
    return config


def test_the_web_app_does_not_start_when_redis_does_not_answer(database_url, caplog):
    storage = f"redis://:s3cret@127.0.0.1:{_closed_port()}"
    config = _config(storage)
    config.SQLALCHEMY_DATABASE_URI = database_url
    bound_before = limiter.storage
    with caplog.at_level(logging.CRITICAL), pytest.raises(RateLimitStorageUnavailable) as failed:
        create_app(config)
    message = str(failed.value)
    assert "does not answer" in message and "RATELIMIT_STORAGE_URI" in message
    assert "127.0.0.1" in message and "s3cret" not in message
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.CRITICAL] == [message]
    assert limiter.storage is bound_before, "the process's limiter was left alone"


def test_a_command_only_warns_and_a_later_outage_falls_back_to_memory(database_url, users, caplog):
    storage = f"redis://127.0.0.1:{_closed_port()}"
    config = _config(storage)
    config.SQLALCHEMY_DATABASE_URI = database_url
    # Inside a `flask` command: a warning, and the app is built.
    with (
        click.Context(click.Command("backup")),
        caplog.at_level(logging.WARNING),
        extra_app(config) as app,
    ):
        assert any(
            "does not answer" in r.getMessage() and "The command goes on" in r.getMessage()
            for r in caplog.records
        )
        # Requests then meet a storage that does not answer: limits go on, per process.
        client = app.test_client()
        for _ in range(3):
            response = client.post(
                "/login", data={"email": "advisor@example.lu", "password": "wrong password!!"}
            )
            assert response.status_code == 200
        response = client.post(
            "/login", data={"email": "advisor@example.lu", "password": "wrong password!!"}
        )
        assert response.status_code == 429
        assert b"Too many attempts" in response.data


def test_the_storage_and_prefix_come_from_the_environment(monkeypatch):
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    monkeypatch.delenv("RATELIMIT_KEY_PREFIX", raising=False)
    config = settings.TestingConfig()
    assert config.RATELIMIT_STORAGE_URI == "memory://"
    assert config.RATELIMIT_KEY_PREFIX == "tracker"
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://cache.internal:6379/2")
    monkeypatch.setenv("RATELIMIT_KEY_PREFIX", "tracker-staging")
    config = settings.TestingConfig()
    assert config.RATELIMIT_STORAGE_URI == "redis://cache.internal:6379/2"
    assert config.RATELIMIT_KEY_PREFIX == "tracker-staging"
    assert config.RATELIMIT_STORAGE_OPTIONS["socket_timeout"] == 2


def _attempts(client, forwarded_for: list[str]) -> list[int]:
    return [
        client.post(
            "/login",
            data={"email": f"nobody{i}@example.lu", "password": "wrong password!!"},
            headers={"X-Forwarded-For": address},
        ).status_code
        for i, address in enumerate(forwarded_for)
    ]


def test_a_client_cannot_choose_its_address_without_a_trusted_proxy(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", LIMIT)
    forged = ["203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4"]
    assert _attempts(client, forged) == [200, 200, 200, 429]


def test_behind_a_trusted_proxy_each_client_address_counts_alone(database_url, monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXIES", "1")
    config = _config("memory://")
    config.SQLALCHEMY_DATABASE_URI = database_url
    assert config.TRUSTED_PROXIES == 1
    with extra_app(config) as app:
        client = app.test_client()
        many = ["203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4"]
        assert _attempts(client, many) == [200, 200, 200, 200]
        assert _attempts(client, ["198.51.100.7"] * 4) == [200, 200, 200, 429]

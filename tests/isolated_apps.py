"""Extra app instances inside the test process, without disturbing the session's app.

The rate limiter is one object per process (tracker.extensions.limiter), as in production where a
process serves one app. Creating another app binds it to that app's storage and settings, and
gives the app its own database engine: `extra_app` puts the limiter back and closes the engine.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask

from config import Config
from tracker import create_app
from tracker.extensions import db, limiter


@contextmanager
def kept_limiter() -> Iterator[None]:
    """Put the shared limiter back as it was (storage, options, fallback state) on the way out."""
    # init_app replaces most attributes and updates the storage options in place: copy dicts too.
    saved = {k: dict(v) if isinstance(v, dict) else v for k, v in vars(limiter).items()}
    try:
        yield
    finally:
        vars(limiter).clear()
        vars(limiter).update(saved)


@contextmanager
def extra_app(config: Config) -> Iterator[Flask]:
    """Another app on `config` (built inside the caller's context), closed on the way out."""
    with kept_limiter():
        app = create_app(config)
        try:
            yield app
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()

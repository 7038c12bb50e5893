"""Configuration classes; every secret and every deployment choice comes from the environment."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _whole_number(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit():
        raise RuntimeError(f"{name} must be a whole number, not {value!r}.")
    return int(value)


class Config:
    """Settings shared by every environment; read when the app is created, not at import."""

    def __init__(self) -> None:
        self.SECRET_KEY = os.environ.get("SECRET_KEY")
        self.SQLALCHEMY_DATABASE_URI = os.environ.get(
            "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'tracker.sqlite'}"
        )
        # Sign-in attempt counters: memory:// counts per process; redis://host:6379 is shared by
        # every worker. A redis:// storage that does not answer stops the web app at start-up.
        self.RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
        self.RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "tracker")
        if self.RATELIMIT_STORAGE_URI.startswith(("redis://", "rediss://")):
            # A Redis that hangs must not hang sign-ins with it.
            self.RATELIMIT_STORAGE_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 2}
        self.SESSION_IDLE_MINUTES = _whole_number("SESSION_IDLE_MINUTES", 60)
        # Reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host are believed
        # (0: none, the default). Behind one, set 1: else every sign-in comes from its address.
        self.TRUSTED_PROXIES = _whole_number("TRUSTED_PROXIES", 0)
        # Where users report a security problem (an address or URL); shown on the sign-in and
        # account pages when set. See SECURITY.md.
        self.SECURITY_CONTACT = os.environ.get("SECURITY_CONTACT", "").strip()
        self.LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")
        self.AGENCY_NAME = os.environ.get("AGENCY_NAME", "Luxinnovation")
        # Contact persons with no interaction for this many years are listed for review
        # (GDPR storage limitation) on /people/retention.
        self.PERSON_RETENTION_YEARS = int(os.environ.get("PERSON_RETENTION_YEARS", "3"))

    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SQLALCHEMY_RECORD_QUERIES = False
    BOOTSTRAP_SERVE_LOCAL = True
    BOOTSTRAP_BOOTSWATCH_THEME = None
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = False
    # Redis lost after start-up: keep limiting, per process, until it answers again.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_STORAGE_OPTIONS: dict = {}
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    PAGE_SIZE = 25
    TIMEZONE = "Europe/Luxembourg"
    BABEL_DEFAULT_TIMEZONE = "Europe/Luxembourg"  # times on pages are the agency's
    # English when neither the user nor the browser picks a language the app speaks
    # (tracker.i18n.select_locale); pages also exist in French and German.
    BABEL_DEFAULT_LOCALE = "en"
    # WTForms' own messages ("This field is required.", "Not a valid choice.") in the page's
    # language: Flask-WTF loads WTForms' catalogues for the locale Flask-Babel chose.
    WTF_I18N_ENABLED = True
    TESTING = False
    DEBUG = False
    PRODUCTION = False


class DevelopmentConfig(Config):
    """Local use: `make run`, a SQLite file under instance/."""

    def __init__(self) -> None:
        super().__init__()
        # A fixed development key keeps sessions alive across restarts; never used in production.
        self.SECRET_KEY = self.SECRET_KEY or "dev-only-not-secret"


class TestingConfig(Config):
    """The test suite: the database of TEST_DATABASE_URL, fast hashes, no rate limit."""

    TESTING = True
    WTF_CSRF_ENABLED = False

    def __init__(self) -> None:
        super().__init__()
        self.SECRET_KEY = "testing-secret-key"  # noqa: S105
        self.SQLALCHEMY_DATABASE_URI = os.environ.get(
            "TEST_DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'test.sqlite'}"
        )
        self.PASSWORD_HASH_FAST = True
        # Limits stay on so that they are tested; tests lower this one where they need to.
        self.LOGIN_RATE_LIMIT = "1000 per minute"


class ProductionConfig(Config):
    """Production: PostgreSQL by DATABASE_URL, secure cookies, a mandatory SECRET_KEY."""

    PRODUCTION = True
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True

    def __init__(self) -> None:
        super().__init__()
        if not self.SECRET_KEY:
            raise RuntimeError("SECRET_KEY must be set in the environment in production.")
        self.SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_env() -> Config:
    """The configuration named by TRACKER_ENV (development by default)."""
    name = os.environ.get("TRACKER_ENV", "development").lower()
    if name not in CONFIGS:
        raise RuntimeError(f"TRACKER_ENV must be one of {', '.join(CONFIGS)}, not {name!r}.")
    return CONFIGS[name]()

"""Configuration classes. Every setting can be overridden by an environment variable of the same name."""

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"
DEV_SECRET_KEY = "dev-only-not-secret"  # noqa: S105 - refused by ProductionConfig


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'concerto.db'}")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SQLALCHEMY_RECORD_QUERIES = False

    LANGUAGES = ("fr_CA", "en")
    BABEL_DEFAULT_LOCALE = "fr_CA"
    BABEL_DEFAULT_TIMEZONE = os.environ.get("BABEL_DEFAULT_TIMEZONE", "America/Toronto")
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "app" / "translations")

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    # Several apps may share one Redis: each prefixes its keys (app/ratelimits.py).
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "")
    # Redis not answering: count in each process's memory (one warning logged) rather than fail the request.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_STORAGE_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1}
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10/minute")
    RESPOND_START_RATE_LIMIT = os.environ.get("RESPOND_START_RATE_LIMIT", "60/minute")
    # /healthz answers 503 when Redis is down too (by default only when the database is: limits fall back to memory).
    HEALTHZ_STRICT = _bool("HEALTHZ_STRICT", False)
    # Surveys each process keeps loaded for the respondent pages (app/respond/structure.py); 0: none.
    RESPOND_STRUCTURE_CACHE_SIZE = _int("RESPOND_STRUCTURE_CACHE_SIZE", 64)

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = _int("MAIL_PORT", 587)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", True)
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "concerto@localhost")

    INVITATION_MAX_AGE = timedelta(days=_int("INVITATION_MAX_AGE_DAYS", 14))
    PASSWORD_RESET_MAX_AGE = timedelta(hours=_int("PASSWORD_RESET_MAX_AGE_HOURS", 2))

    # Results: a group of fewer responses than this has its figures hidden (protects respondents).
    RESULTS_MIN_COUNT = _int("RESULTS_MIN_COUNT", 5)

    PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 - a method name, not a password
    MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 10 * 1024 * 1024)
    SURVEY_IMPORT_MAX_BYTES = _int("SURVEY_IMPORT_MAX_BYTES", 2 * 1024 * 1024)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=_int("SESSION_LIFETIME_HOURS", 12))
    PREFERRED_URL_SCHEME = os.environ.get("PREFERRED_URL_SCHEME", "http")
    # Set when the app runs behind a reverse proxy that sets X-Forwarded-* (number of proxies).
    PROXY_FIX_COUNT = _int("PROXY_FIX_COUNT", 0)

    @classmethod
    def init_app(cls, app) -> None:
        pass


class DevelopmentConfig(Config):
    DEBUG = True


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-secret"  # noqa: S105
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    RATELIMIT_STORAGE_URI = "memory://"
    SERVER_NAME = None
    # Hashing cost is not what the tests examine; a cheap method keeps hundreds of sign-ins fast.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # noqa: S105 - a method name


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    PREFERRED_URL_SCHEME = os.environ.get("PREFERRED_URL_SCHEME", "https")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {
        "pool_pre_ping": True,
        "pool_size": _int("DB_POOL_SIZE", 5),
        "max_overflow": _int("DB_MAX_OVERFLOW", 5),
        "pool_recycle": 1800,
    }

    @classmethod
    def init_app(cls, app) -> None:
        problems = []
        if not os.environ.get("SECRET_KEY") or app.config["SECRET_KEY"] == DEV_SECRET_KEY:
            problems.append("SECRET_KEY must be set to a long random value")
        elif len(app.config["SECRET_KEY"]) < 32:
            problems.append("SECRET_KEY must be at least 32 characters long")
        if not os.environ.get("DATABASE_URL"):
            problems.append("DATABASE_URL must point at the production database")
        if problems:
            raise RuntimeError("Refusing to start in production: " + "; ".join(problems))


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}

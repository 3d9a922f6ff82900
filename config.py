"""Configuration classes. Every setting can be overridden by an environment variable of the same name."""

import logging
import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

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


def missing_catalogs(config) -> list[str]:
    """The compiled catalogs (.mo) that the languages other than English (the language of the source strings)
    need and that are not on disk. Without them Flask-Babel silently shows English."""
    directories = [Path(d) for d in config["BABEL_TRANSLATION_DIRECTORIES"].split(";") if d]
    missing = []
    for locale in config["LANGUAGES"]:
        if locale.startswith("en"):
            continue
        paths = [d / locale / "LC_MESSAGES" / "messages.mo" for d in directories]
        if not any(path.is_file() for path in paths):
            missing.append(str(paths[0]))
    return missing


def _catalog_problem(missing: list[str]) -> str:
    return (
        f"the compiled French catalog {', '.join(missing)} is missing, so every screen would be in English: "
        "deploy the repository's committed copy, or compile it with `pybabel compile -d app/translations`"
    )


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
    # Several apps may share one Redis: each prefixes its keys (app/web/ratelimits.py).
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "")
    # Redis not answering: count in each process's memory (one warning logged) rather than fail the request.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_STORAGE_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1}
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10/minute")
    RESPOND_START_RATE_LIMIT = os.environ.get("RESPOND_START_RATE_LIMIT", "60/minute")
    # Room codes typed on /live, per address: a whole room behind one Wi-Fi router joins within a minute.
    LIVE_JOIN_RATE_LIMIT = os.environ.get("LIVE_JOIN_RATE_LIMIT", "600/minute")
    # "Send me my resume link by e-mail", per client address (a workshop shares one address).
    RESUME_MAIL_RATE_LIMIT = os.environ.get("RESUME_MAIL_RATE_LIMIT", "20/hour")
    # /healthz answers 503 when Redis is down too (by default only when the database is: limits fall back to memory).
    HEALTHZ_STRICT = _bool("HEALTHZ_STRICT", False)
    # Surveys each process keeps loaded for the respondent pages (app/respond/structure.py); 0: none.
    RESPOND_STRUCTURE_CACHE_SIZE = _int("RESPOND_STRUCTURE_CACHE_SIZE", 64)

    # Responses compressed when the client accepts it (Flask-Compress; static files too: app/web/static_files.py).
    # Streamed responses (exports) are left as they are.
    COMPRESS_ALGORITHM = ["br", "gzip"]
    COMPRESS_BR_LEVEL = 5  # 6-8 % smaller than gzip -6 on our CSS for about 1 ms; level 4 was no better than gzip
    COMPRESS_STREAMS = False
    COMPRESS_MIMETYPES = [
        "text/html",
        "text/css",
        "text/javascript",
        "application/javascript",
        "application/json",
        "image/svg+xml",
    ]

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = _int("MAIL_PORT", 587)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", True)
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "concerto@localhost")
    # Without MAIL_SERVER, messages are written as .eml files here (development only); elsewhere they are dropped
    # with a warning naming their subject (never their address or their link).
    MAIL_OUTBOX_DIR: str | None = None

    # The one public address of the app: every link for use outside it (e-mails, QR codes, flyers, resume and
    # invitation links) starts with it, whatever Host header a request carried (app/web/urls.py).
    PUBLIC_URL = os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000")
    # Answer 400 to a request for any host but PUBLIC_URL's (except /healthz): production.
    REFUSE_OTHER_HOSTS = False

    INVITATION_MAX_AGE = timedelta(days=_int("INVITATION_MAX_AGE_DAYS", 14))
    PASSWORD_RESET_MAX_AGE = timedelta(hours=_int("PASSWORD_RESET_MAX_AGE_HOURS", 2))

    # Results: a group of fewer responses than this has its figures hidden (protects respondents).
    RESULTS_MIN_COUNT = _int("RESULTS_MIN_COUNT", 5)
    # Follow-up: an action still planned or in progress with no update for this many days is listed for a reminder.
    FOLLOWUP_REMINDER_DAYS = _int("FOLLOWUP_REMINDER_DAYS", 45)

    PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 - a method name, not a password
    MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 10 * 1024 * 1024)
    SURVEY_IMPORT_MAX_BYTES = _int("SURVEY_IMPORT_MAX_BYTES", 2 * 1024 * 1024)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(days=365)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=_int("SESSION_LIFETIME_HOURS", 12))
    PREFERRED_URL_SCHEME = os.environ.get("PREFERRED_URL_SCHEME", "http")
    # Set when the app runs behind a reverse proxy that sets X-Forwarded-* (number of proxies).
    PROXY_FIX_COUNT = _int("PROXY_FIX_COUNT", 0)

    @classmethod
    def init_app(cls, app) -> None:
        missing = missing_catalogs(app.config)
        if missing:
            logging.getLogger(__name__).warning("Concerto: %s", _catalog_problem(missing))


class DevelopmentConfig(Config):
    DEBUG = True
    MAIL_OUTBOX_DIR = str(INSTANCE_DIR / "outbox")


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-secret"  # noqa: S105
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    RATELIMIT_STORAGE_URI = "memory://"
    SERVER_NAME = None
    PUBLIC_URL = "http://localhost"
    # Hashing cost is not what the tests examine; a cheap method keeps hundreds of sign-ins fast.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # noqa: S105 - a method name


class ProductionConfig(Config):
    PUBLIC_URL = os.environ.get("PUBLIC_URL", "")
    REFUSE_OTHER_HOSTS = True
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
        public_url_problem = check_public_url(app.config["PUBLIC_URL"])
        if public_url_problem:
            problems.append(public_url_problem)
        missing = missing_catalogs(app.config)
        if missing:
            problems.append(_catalog_problem(missing))
        if problems:
            raise RuntimeError("Refusing to start in production: " + "; ".join(problems))


def check_public_url(value: str) -> str | None:
    """Why ``value`` cannot be the public address of the app, or None when it can."""
    if not value:
        return "PUBLIC_URL must be set to the public address of the app (e.g. https://concerto.example.org)"
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.hostname or parts.query or parts.fragment:
        return f"PUBLIC_URL must be an http(s) address without query or fragment (got {value!r})"
    return None


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}

"""Configuration, read from the environment with the QUEUE_ prefix; every field is documented."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from queue_server.core.credentials import secret_key_problem
from queue_server.db.engine import sqlite_path

DEFAULT_SQLITE_PATH = Path("var") / "queue.sqlite3"
DEFAULT_SPOOL_DIR = Path("var") / "spool"


class Settings(BaseSettings):
    """Server settings. `queue-server serve --help` and the README list them."""

    model_config = SettingsConfigDict(env_prefix="QUEUE_", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{DEFAULT_SQLITE_PATH}",
        description="sqlite:///path or postgresql://user@host/db; the async driver is chosen itself.",
    )
    secret_key: str = Field(
        default="",
        description="Secret for CSRF tokens; required outside the embedded demo (QUEUE_ENV=demo).",
    )
    env: str = Field(
        default="production",
        description="'demo' for the embedded demo, development and tests; anything else is "
        "production: it refuses a missing secret or public URL and answers only the public "
        "URL's host.",
    )
    redis_url: str | None = Field(
        default=None, description="redis://host:port/db for event fan-out across workers and hosts."
    )
    public_url: str | None = Field(
        default=None,
        description="Base URL visitors' phones reach (QR codes, status links); required in "
        "production, where it also names the one host the server answers besides loopback. "
        "The demo falls back to the request's own URL.",
    )
    allowed_hosts: str = Field(
        default="",
        description="More host names the server answers in production besides QUEUE_PUBLIC_URL's "
        "(comma-separated), such as the LAN address the hall's kiosks and "
        "displays use. Links are still built from QUEUE_PUBLIC_URL.",
    )
    session_max_age_seconds: int = Field(
        default=12 * 3600, description="How long a login (cookie or bearer token) stays valid."
    )
    login_max_failures: int = Field(
        default=5,
        description="Failed logins allowed per login name from one client address within the "
        "throttle window (so that nobody elsewhere can lock an operator out).",
    )
    login_max_failures_per_login: int = Field(
        default=50,
        description="Failed logins allowed per login name from all addresses together within "
        "the window: the slower cap that still stops guessing spread over many addresses.",
    )
    login_max_failures_per_client: int = Field(
        default=20, description="Failed logins allowed per client address within the window."
    )
    trusted_proxies: str = Field(
        default="",
        description="Comma-separated addresses or CIDR networks of the reverse proxies whose "
        "X-Forwarded-For names the client; from anyone else the client is the socket's peer.",
    )
    login_throttle_window_seconds: int = Field(
        default=900,
        description="Window over which failed logins are counted, from the first of them.",
    )
    secure_cookies: bool = Field(
        default=False, description="Mark session cookies Secure (set when served over HTTPS)."
    )
    housekeeping_interval_seconds: float = Field(
        default=30.0, description="How often waiting tickets past closing time are expired."
    )
    aggregates_interval_seconds: float = Field(
        default=1.0,
        description="How often new events are counted into the hourly and load figures "
        "(their readers count what is left first).",
    )
    freeze_gc_at_start: bool = Field(
        default=True,
        description="Once started, move everything loaded so far out of the garbage collector's "
        "sight (gc.freeze): its full collections then scan only what requests create, which keeps "
        "them from stalling a call for 100 ms. Off for servers run inside a test process.",
    )
    report_max_days: int = Field(
        default=366,
        ge=1,
        description="The most service days one report or export may span (a year, leap day "
        "included); a longer range is refused with 422.",
    )
    ws_ping_interval_seconds: float = Field(
        default=10.0, description="How often websockets are pinged; also how often feeds recheck."
    )
    ws_dead_after_seconds: float = Field(
        default=30.0,
        description="A websocket client silent this long after answering pings is dropped.",
    )
    ws_queue_size: int = Field(
        default=256, description="Events queued per websocket before a client too slow is dropped."
    )
    speech_cache_dir: str = Field(
        default="var/speech", description="Where synthesised call announcements (WAV) are cached."
    )
    # A call is 100-250 KB of WAV: the defaults hold a large office's distinct calls of a day.
    speech_cache_max_entries: int = Field(
        default=1000,
        ge=1,
        description="Most call announcements kept in the speech cache; the least recently "
        "played go first.",
    )
    speech_cache_max_bytes: int = Field(
        default=128 * 1024 * 1024,
        ge=1,
        description="Most bytes of call announcements kept in the speech cache (128 MiB).",
    )
    spool_dir: str | None = Field(
        default=None,
        description="The only directory file:// printers may write inside (created on demand); "
        "default: 'spool' next to the embedded SQLite database (var/spool), or var/spool.",
    )
    argon2_time_cost: int = Field(default=3, description="argon2id iterations for password hashes.")
    argon2_memory_cost: int = Field(default=65536, description="argon2id memory in KiB.")

    def secret_problem(self) -> str | None:
        """Why the server must not start with this secret, or None (the demo needs none)."""
        return None if self.env == "demo" else secret_key_problem(self.secret_key)

    @field_validator("trusted_proxies")
    @classmethod
    def _proxy_networks(cls, value: str) -> str:
        for part in value.split(","):
            if part.strip():
                try:
                    ipaddress.ip_network(part.strip(), strict=False)
                except ValueError:
                    raise ValueError(
                        f"QUEUE_TRUSTED_PROXIES: '{part.strip()}' is not an address or a "
                        "network such as 10.0.0.5 or 10.0.0.0/24"
                    ) from None
        return value

    @property
    def allowed_host_list(self) -> list[str]:
        return _comma_separated(self.allowed_hosts)

    @property
    def trusted_proxy_list(self) -> list[str]:
        """The proxies whose X-Forwarded-For is believed (none unless configured)."""
        return _comma_separated(self.trusted_proxies)

    def public_url_problem(self) -> str | None:
        """Why production must not start with this public URL, or None."""
        if self.is_demo:
            return None
        parts = urlsplit(self.public_url or "")
        if parts.scheme in ("http", "https") and parts.hostname:
            return None
        return (
            "QUEUE_PUBLIC_URL must be set to the address visitors' phones reach, such as "
            "https://queue.example.ru: it is printed on every slip, and in production the "
            "server answers only that host and loopback (or QUEUE_ENV=demo for the demo)"
        )

    def startup_problem(self) -> str | None:
        """The first reason the server must not start with these settings, or None."""
        return self.secret_problem() or self.public_url_problem()

    @property
    def is_demo(self) -> bool:
        return self.env == "demo"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def spool_path(self) -> Path:
        """Where file:// printers may write: QUEUE_SPOOL_DIR, or the default for the database."""
        return Path(self.spool_dir) if self.spool_dir else default_spool_dir(self.database_url)


def default_spool_dir(database_url: str) -> Path:
    """`spool` beside the embedded database's file; var/spool when the database is a server."""
    database = sqlite_path(database_url)
    if database is None or str(database) == ":memory:":
        return DEFAULT_SPOOL_DIR
    return database.parent / "spool"


def _comma_separated(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]

"""Configuration, read from the environment with the QUEUE_ prefix; every field is documented."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SQLITE_PATH = Path("var") / "queue.sqlite3"
PLACEHOLDER_SECRETS = {"", "changeme", "change-me", "secret", "dev"}


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
        description="'demo' for the embedded demo and tests; 'production' refuses a missing secret.",
    )
    redis_url: str | None = Field(
        default=None, description="redis://host:port/db for event fan-out across workers and hosts."
    )
    public_url: str | None = Field(
        default=None,
        description="Base URL visitors' phones reach (QR codes); defaults to the request's own URL.",
    )
    session_max_age_seconds: int = Field(
        default=12 * 3600, description="How long a login (cookie or bearer token) stays valid."
    )
    login_max_failures: int = Field(
        default=5, description="Failed logins allowed per login name within the throttle window."
    )
    login_max_failures_per_client: int = Field(
        default=20, description="Failed logins allowed per client address within the window."
    )
    login_throttle_window_seconds: int = Field(
        default=900, description="Window over which failed logins are counted."
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
    argon2_time_cost: int = Field(default=3, description="argon2id iterations for password hashes.")
    argon2_memory_cost: int = Field(default=65536, description="argon2id memory in KiB.")

    def secret_problem(self) -> str | None:
        """Why the server must not start with this secret, or None (the demo needs none)."""
        if self.env != "demo" and self.secret_key.strip().lower() in PLACEHOLDER_SECRETS:
            return (
                "QUEUE_SECRET_KEY must be set to a long random value "
                "(or QUEUE_ENV=demo for the embedded demo)"
            )
        return None

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

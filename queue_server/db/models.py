"""The schema. Alembic migrations (migrations/) are the only way it is created."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:  # SQLite: stored as UTC text without an offset
            return value.replace(tzinfo=UTC)
        return value if value.tzinfo is UTC else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Office(Base):
    __tablename__ = "offices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300), default="")
    timezone: Mapped[str] = mapped_column(String(64))
    hours: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    peak: Mapped[list[Any]] = mapped_column(JSON, default=list)
    max_priority_in_row: Mapped[int] = mapped_column(Integer, default=2)
    recall_limit: Mapped[int] = mapped_column(Integer, default=2)
    recall_timeout_seconds: Mapped[int] = mapped_column(Integer, default=180)
    auto_no_show: Mapped[bool] = mapped_column(Boolean, default=False)
    kiosk_tickets_per_minute: Mapped[int] = mapped_column(Integer, default=30)
    # Remote visitors (a phone, the website) may take tickets unless the office turns it off,
    # a few per client address and hour: they have no kiosk key, so the cap is what stops a flood.
    remote_open: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    remote_tickets_per_hour: Mapped[int] = mapped_column(Integer, default=3, server_default="3")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Topic(Base):
    __tablename__ = "topics"
    __table_args__ = (Index("ix_topics_office_parent", "office_id", "parent_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("topics.id", ondelete="CASCADE"), nullable=True
    )
    name_ru: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))
    prefix: Mapped[str] = mapped_column(String(3))
    target_peak_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    target_offpeak_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    operations: Mapped[list[Any]] = mapped_column(JSON, default=list)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Window(Base):
    __tablename__ = "windows"
    __table_args__ = (UniqueConstraint("office_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100), default="")
    operator_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    occupied_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # A retired window keeps its tickets' history; nobody opens it or calls to it.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    office_id: Mapped[int | None] = mapped_column(
        ForeignKey("offices.id", ondelete="SET NULL"), nullable=True
    )
    display_name: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    priority_streak: Mapped[int] = mapped_column(Integer, default=0)
    paused_reason: Mapped[str | None] = mapped_column(String(50), nullable=True)
    paused_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Skill(Base):
    __tablename__ = "skills"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    topic_id: Mapped[int] = mapped_column(
        ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True
    )
    priority: Mapped[int] = mapped_column(Integer, default=1)


class Kiosk(Base):
    __tablename__ = "kiosks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    printer: Mapped[str | None] = mapped_column(String(300), nullable=True)
    printer_status: Mapped[str] = mapped_column(String(20), default="unknown")
    # The SHA-256 of the key the kiosk issues with (X-Kiosk-Key); the key itself is shown once.
    key_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    printer_detail: Mapped[str] = mapped_column(String(300), default="")
    printer_checked_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    printer_failures: Mapped[int] = mapped_column(Integer, default=0)
    last_ticket_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    last_seen_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # A retired kiosk's key issues nothing, and its page says it is not set up.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class NumberCounter(Base):
    """The last sequence handed out per office, service day and prefix; incremented atomically."""

    __tablename__ = "number_counters"

    office_id: Mapped[int] = mapped_column(
        ForeignKey("offices.id", ondelete="CASCADE"), primary_key=True
    )
    service_day: Mapped[date] = mapped_column(Date, primary_key=True)
    prefix: Mapped[str] = mapped_column(String(3), primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        # The guarantee that a number is never issued twice in a day, whatever the concurrency.
        UniqueConstraint("office_id", "service_day", "prefix", "sequence"),
        Index("ix_tickets_queue", "office_id", "status", "queued_at"),
        Index("ix_tickets_office_day", "office_id", "service_day"),
        Index("ix_tickets_operator_status", "operator_id", "status"),
        Index("ix_tickets_window_status", "window_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id", ondelete="CASCADE"))
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id"))
    original_topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id"))
    kiosk_id: Mapped[int | None] = mapped_column(
        ForeignKey("kiosks.id", ondelete="SET NULL"), nullable=True
    )
    service_day: Mapped[date] = mapped_column(Date)
    prefix: Mapped[str] = mapped_column(String(3))
    sequence: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(12))
    code: Mapped[str] = mapped_column(String(40), unique=True)
    customer_type: Mapped[str] = mapped_column(String(20))
    priority: Mapped[bool] = mapped_column(Boolean, default=False)
    # Who issued it: a kiosk (by its key), staff, or a remote visitor (capped per address).
    channel: Mapped[str] = mapped_column(String(10), default="kiosk", server_default="kiosk")
    status: Mapped[str] = mapped_column(String(20))
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # When the ticket entered its current queue; a transfer keeps the original issue time here.
    queued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    first_called_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    called_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    window_id: Mapped[int | None] = mapped_column(
        ForeignKey("windows.id", ondelete="SET NULL"), nullable=True
    )
    operator_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    served_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    recall_count: Mapped[int] = mapped_column(Integer, default=0)
    transfer_count: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str] = mapped_column(Text, default="")
    outcomes: Mapped[list[Any]] = mapped_column(JSON, default=list)
    rating: Mapped[int | None] = mapped_column(Integer, nullable=True)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    print_status: Mapped[str] = mapped_column(String(20), default="none")
    print_detail: Mapped[str] = mapped_column(String(300), default="")


class EventCounter(Base):
    """The last event `seq` per office: displays detect gaps with it."""

    __tablename__ = "event_counters"

    office_id: Mapped[int] = mapped_column(
        ForeignKey("offices.id", ondelete="CASCADE"), primary_key=True
    )
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)


class Event(Base):
    """The audit trail and the source of statistics: who did what, when, from and to."""

    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("office_id", "seq"),
        Index("ix_events_ticket", "ticket_id"),
        Index("ix_events_office_at", "office_id", "at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(BigInteger)
    type: Mapped[str] = mapped_column(String(50))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    ticket_id: Mapped[int | None] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), nullable=True
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    window_id: Mapped[int | None] = mapped_column(
        ForeignKey("windows.id", ondelete="SET NULL"), nullable=True
    )
    from_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    to_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    # The ticket's topic then: figures counted later must not see a transfer that came after.
    topic_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class AuthSession(Base):
    """A login: a browser cookie or an API bearer token, stored only as a hash."""

    __tablename__ = "auth_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)


class AuthEpoch(Base):
    """One row counting revoked logins: every worker process re-reads it about once a second and
    forgets the logins it remembers when it has moved (services.principal_cache)."""

    __tablename__ = "auth_epoch"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class LoginThrottle(Base):
    """Sign-in attempts per key (a login from one address, a login, an address) in the window
    that began with the first of them, shared by every worker process. Each attempt claims one
    in a committed increment before its password is checked, so attempts under way count too."""

    __tablename__ = "login_throttles"
    __table_args__ = (Index("ix_login_throttles_resets_at", "resets_at"),)

    key: Mapped[str] = mapped_column(String(240), primary_key=True)
    attempts: Mapped[int] = mapped_column(Integer)
    resets_at: Mapped[datetime] = mapped_column(UtcDateTime)


class WsTicket(Base):
    """A one-use ticket that opens a staff websocket for a few seconds, so that no login token
    travels in a URL (where access logs keep it). Stored only as a hash; ends with its session."""

    __tablename__ = "ws_tickets"
    __table_args__ = (Index("ix_ws_tickets_expires_at", "expires_at"),)

    ticket_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    session_hash: Mapped[str] = mapped_column(
        ForeignKey("auth_sessions.token_hash", ondelete="CASCADE")
    )
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)


class KioskIssue(Base):
    """Tickets issued per kiosk and minute, for the per-kiosk rate limit across workers."""

    __tablename__ = "kiosk_issues"

    kiosk_id: Mapped[int] = mapped_column(
        ForeignKey("kiosks.id", ondelete="CASCADE"), primary_key=True
    )
    minute: Mapped[datetime] = mapped_column(UtcDateTime, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class AggregateWatermark(Base):
    """The last event `seq` per office already counted into the hourly and load figures."""

    __tablename__ = "aggregate_watermarks"

    office_id: Mapped[int] = mapped_column(
        ForeignKey("offices.id", ondelete="CASCADE"), primary_key=True
    )
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)


class HourlyStat(Base):
    """What happened per office, service day, local hour, topic and customer type: counted from
    the event log off the request path (services.aggregates), so reports never rescan tickets."""

    __tablename__ = "hourly_stats"

    office_id: Mapped[int] = mapped_column(
        ForeignKey("offices.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    hour: Mapped[int] = mapped_column(Integer, primary_key=True)
    topic_id: Mapped[int] = mapped_column(
        ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True
    )
    customer_type: Mapped[str] = mapped_column(String(20), primary_key=True)
    issued: Mapped[int] = mapped_column(Integer, default=0)
    enqueued: Mapped[int] = mapped_column(Integer, default=0)
    dequeued: Mapped[int] = mapped_column(Integer, default=0)
    first_called: Mapped[int] = mapped_column(Integer, default=0)
    wait_seconds_sum: Mapped[int] = mapped_column(BigInteger, default=0)
    within_target: Mapped[int] = mapped_column(Integer, default=0)
    served: Mapped[int] = mapped_column(Integer, default=0)
    service_seconds_sum: Mapped[int] = mapped_column(BigInteger, default=0)
    no_show: Mapped[int] = mapped_column(Integer, default=0)
    expired: Mapped[int] = mapped_column(Integer, default=0)
    transferred: Mapped[int] = mapped_column(Integer, default=0)


class LoadCell(Base):
    """Visits (issued tickets) per office, customer type, local weekday and hour, all time."""

    __tablename__ = "load_cells"

    office_id: Mapped[int] = mapped_column(
        ForeignKey("offices.id", ondelete="CASCADE"), primary_key=True
    )
    customer_type: Mapped[str] = mapped_column(String(20), primary_key=True)
    weekday: Mapped[int] = mapped_column(Integer, primary_key=True)
    hour: Mapped[int] = mapped_column(Integer, primary_key=True)
    visits: Mapped[int] = mapped_column(BigInteger, default=0)


class LoadDay(Base):
    """How many service days of each weekday had visits: the divisor of the load averages."""

    __tablename__ = "load_days"

    office_id: Mapped[int] = mapped_column(
        ForeignKey("offices.id", ondelete="CASCADE"), primary_key=True
    )
    weekday: Mapped[int] = mapped_column(Integer, primary_key=True)
    days: Mapped[int] = mapped_column(Integer, default=0)
    last_day: Mapped[date] = mapped_column(Date)


class RemoteIssue(Base):
    """Remote tickets per office, client address and hour, for the cap shared by all workers."""

    __tablename__ = "remote_issues"

    office_id: Mapped[int] = mapped_column(
        ForeignKey("offices.id", ondelete="CASCADE"), primary_key=True
    )
    address: Mapped[str] = mapped_column(String(64), primary_key=True)
    hour: Mapped[datetime] = mapped_column(UtcDateTime, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class IdempotencyKey(Base):
    """A client's key for one issuing attempt and the ticket it issued, kept for 24 hours.

    The row is written in the ticket's own transaction, so a key names a ticket exactly when
    that ticket exists: a retry after a lost answer finds it, a retry after a refusal issues."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (Index("ix_idempotency_keys_created_at", "created_at"),)

    office_id: Mapped[int] = mapped_column(
        ForeignKey("offices.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    # Null only inside the claiming transaction, before its ticket exists.
    ticket_id: Mapped[int | None] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class AuditEntry(Base):
    """Who changed what in the set-up, when, and each field's old and new value."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_office_at", "office_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Null for what belongs to no office (a regional manager's account, say).
    office_id: Mapped[int | None] = mapped_column(
        ForeignKey("offices.id", ondelete="CASCADE"), nullable=True
    )
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    # Null when the server itself acted (seed, the command line); the login is kept as it was.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    user_login: Mapped[str] = mapped_column(String(100), default="")
    action: Mapped[str] = mapped_column(String(20))
    object_type: Mapped[str] = mapped_column(String(20))
    object_id: Mapped[int] = mapped_column(Integer)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class CalendarDay(Base):
    """A date on which the office keeps other hours than its weekday's: a holiday (no
    intervals), a shortened or special day. `hours` null: removed by an admin, so the weekly
    hours apply and the production calendar's seed leaves the date alone."""

    __tablename__ = "calendar_days"

    office_id: Mapped[int] = mapped_column(
        ForeignKey("offices.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    hours: Mapped[list[Any] | None] = mapped_column(JSON(none_as_null=True), nullable=True)
    note: Mapped[str] = mapped_column(String(200), default="")
    # "admin" (set through the API) or "production_calendar" (loaded by `queue-server seed`).
    source: Mapped[str] = mapped_column(String(30))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

"""Request and response bodies of the public contract (shared/API.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
)

MAX_ID = 2**31 - 1


def _printable(text: str) -> str:
    if any(ord(char) < 32 and char not in "\n\t" for char in text):
        raise ValueError("must not contain control characters such as NUL")
    return text


# Strict: JSON true or "5" is not an id, a count or a switch (lax mode would take them).
Id = Annotated[StrictInt, Field(ge=1, le=MAX_ID)]
Seconds = Annotated[StrictInt, Field(ge=0, le=7 * 86400)]
ShortText = Annotated[
    str,
    StringConstraints(min_length=1, max_length=200, strip_whitespace=True),
    AfterValidator(_printable),
]
OptionalText = Annotated[str, StringConstraints(max_length=1000), AfterValidator(_printable)]
Prefix = Annotated[str, StringConstraints(pattern=r"^[A-ZА-ЯЁ]{1,3}$")]
Login = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._@-]{1,100}$")]
Clock = Annotated[str, StringConstraints(pattern=r"^\d\d:\d\d$")]
Lang = Literal["ru", "en"]
CustomerType = Literal["individual", "organization"]
RoleName = Literal["operator", "manager", "admin"]
Hours = dict[Annotated[str, StringConstraints(max_length=3)], list[tuple[Clock, Clock]]]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OfficeIn(Strict):
    name: ShortText
    address: Annotated[str, StringConstraints(max_length=300), AfterValidator(_printable)] = ""
    timezone: Annotated[
        str, StringConstraints(min_length=1, max_length=64), AfterValidator(_printable)
    ] = "Europe/Moscow"
    hours: Hours | None = None
    peak: list[tuple[Clock, Clock]] = Field(default_factory=list)
    max_priority_in_row: Annotated[StrictInt, Field(ge=0, le=100)] = 2
    recall_limit: Annotated[StrictInt, Field(ge=0, le=100)] = 2
    recall_timeout_seconds: Seconds = 180
    auto_no_show: StrictBool = False
    kiosk_tickets_per_minute: Annotated[StrictInt, Field(ge=1, le=10000)] = 30
    remote_open: StrictBool = True
    remote_tickets_per_hour: Annotated[StrictInt, Field(ge=0, le=1000)] = 3


class OfficeOut(BaseModel):
    id: int
    name: str
    address: str
    timezone: str
    hours: dict[str, list[list[str]]] | None
    peak: list[list[str]] = Field(default_factory=list)
    open_now: bool
    remote_open: bool = True
    """Whether visitors may take a ticket remotely (`"channel": "remote"`)."""


class LocalisedName(Strict):
    ru: ShortText
    en: ShortText | None = None


class LocalisedOperation(Strict):
    ru: ShortText
    en: ShortText | None = None


class TargetWait(Strict):
    peak: Seconds | None = None
    offpeak: Seconds | None = None


class TopicIn(Strict):
    name: LocalisedName
    prefix: Prefix
    parent_id: Id | None = None
    target_wait_seconds: TargetWait | None = None
    operations: list[LocalisedOperation] = Field(default_factory=list, max_length=100)


class TopicOut(BaseModel):
    id: int
    office_id: int
    parent_id: int | None
    prefix: str
    name: dict[str, str]
    target_wait_seconds: dict[str, int | None]
    operations: list[dict[str, str]]


class TopicNode(BaseModel):
    id: int
    prefix: str
    name: str
    children: list[TopicNode]
    waiting: int
    estimated_wait_seconds: int
    target_wait_seconds: dict[str, int | None] | None = None


class WindowIn(Strict):
    number: Annotated[StrictInt, Field(ge=1, le=9999)]
    name: Annotated[str, StringConstraints(max_length=100), AfterValidator(_printable)] = ""


class WindowOut(BaseModel):
    id: int
    number: int
    name: str
    office_id: int | None = None
    operator_id: int | None = None


class SkillIn(Strict):
    topic_id: Id
    priority: Annotated[StrictInt, Field(ge=1, le=99)] = 1


class UserIn(Strict):
    login: Login
    password: Annotated[
        str, StringConstraints(min_length=1, max_length=200), AfterValidator(_printable)
    ]
    role: RoleName
    office_id: Id | None = None
    skills: list[SkillIn] = Field(default_factory=list, max_length=500)
    display_name: Annotated[str, StringConstraints(max_length=200), AfterValidator(_printable)] = ""


class UserOut(BaseModel):
    id: int
    login: str
    role: str
    office_id: int | None
    display_name: str
    skills: list[dict[str, int]] = Field(default_factory=list)


class KioskIn(Strict):
    name: ShortText
    printer: (
        Annotated[str, StringConstraints(max_length=300), AfterValidator(_printable)] | None
    ) = None


class KioskOut(BaseModel):
    id: int
    office_id: int
    name: str
    printer: str | None
    printer_status: str
    printer_detail: str
    printer_failures: int = 0
    printer_checked_at: datetime | None = None
    last_ticket_at: datetime | None = None
    page_url: str
    key: str | None = None
    """The kiosk's key (`X-Kiosk-Key`), only in the answer that created or renewed it."""
    setup_url: str | None = None
    """The kiosk page with its key: open it once on the kiosk, which keeps the key."""


class TicketIn(Strict):
    topic_id: Id
    customer_type: CustomerType = "individual"
    priority: StrictBool = False
    kiosk_id: Id | None = None
    channel: Literal["kiosk", "staff", "remote"] | None = None
    """`remote` for a visitor without a kiosk or a login (capped per address); otherwise the
    channel is what the request proves: a kiosk's `X-Kiosk-Key` or a staff login."""


class WindowRef(BaseModel):
    id: int
    number: int
    name: str


class PrintOut(BaseModel):
    status: Literal["printed", "failed", "none"]
    detail: str = ""


class TicketOut(BaseModel):
    id: int
    number: str
    code: str
    office_id: int
    topic_id: int
    status: str
    customer_type: str
    priority: bool
    channel: str = "kiosk"
    issued_at: datetime
    called_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    position: int
    estimated_wait_seconds: int
    status_url: str
    window: WindowRef | None = None
    operator_id: int | None = None
    recall_count: int = 0
    transfer_count: int = 0
    note: str = ""
    outcomes: list[str] = Field(default_factory=list)
    print: PrintOut = PrintOut(status="none")


class TicketStatusOut(BaseModel):
    number: str
    status: str
    position: int
    estimated_wait_seconds: int
    window: dict[str, Any] | None
    called_at: datetime | None
    issued_at: datetime | None = None
    topic_id: int | None = None
    office_id: int | None = None
    rating: int | None = None
    office_name: str | None = Field(default=None, description="where the visitor is queueing")
    topic: dict[str, Any] | None = Field(
        default=None, description='the topic now: {"prefix", "name": {"ru", "en"}}'
    )


class TransferIn(Strict):
    topic_id: Id
    note: OptionalText = ""


class FinishIn(Strict):
    outcomes: list[
        Annotated[str, StringConstraints(max_length=300), AfterValidator(_printable)]
    ] = Field(default_factory=list, max_length=50)
    note: OptionalText = ""


class NoteIn(Strict):
    note: OptionalText = ""


class PauseIn(Strict):
    reason: Literal["lunch", "paperwork", "phone", "technical", "other"] = "other"


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    role: str


class WsTicketOut(BaseModel):
    ticket: str
    expires_in: int


class SessionOut(BaseModel):
    user_id: int
    login: str
    role: str
    office_id: int | None
    csrf_token: str


class ErrorOut(BaseModel):
    detail: Any
    code: str

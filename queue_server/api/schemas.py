"""Request and response bodies of the public contract (shared/API.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    model_validator,
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
Note = Annotated[str, StringConstraints(max_length=200), AfterValidator(_printable)]
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


class Patch(Strict):
    """A PATCH body: any subset of the fields; a field left out keeps its value. Null is a value
    only for the fields in NULLABLE (hours: always open, parent_id: a root topic, ...)."""

    NULLABLE: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="after")
    def _no_null_values(self) -> Self:
        nulls = sorted(
            name
            for name in self.model_fields_set
            if getattr(self, name) is None and name not in self.NULLABLE
        )
        if nulls:
            raise ValueError(f"{', '.join(nulls)} cannot be null; leave a field out to keep it")
        return self


class OfficePatch(Patch):
    NULLABLE = frozenset({"hours"})
    name: ShortText | None = None
    address: (
        Annotated[str, StringConstraints(max_length=300), AfterValidator(_printable)] | None
    ) = None
    timezone: (
        Annotated[str, StringConstraints(min_length=1, max_length=64), AfterValidator(_printable)]
        | None
    ) = None
    hours: Hours | None = None
    peak: list[tuple[Clock, Clock]] | None = None
    max_priority_in_row: Annotated[StrictInt, Field(ge=0, le=100)] | None = None
    recall_limit: Annotated[StrictInt, Field(ge=0, le=100)] | None = None
    recall_timeout_seconds: Seconds | None = None
    auto_no_show: StrictBool | None = None
    kiosk_tickets_per_minute: Annotated[StrictInt, Field(ge=1, le=10000)] | None = None
    remote_open: StrictBool | None = None
    remote_tickets_per_hour: Annotated[StrictInt, Field(ge=0, le=1000)] | None = None


class OfficeDetail(OfficeOut):
    """An office with every setting, as an administrator edits it."""

    max_priority_in_row: int
    recall_limit: int
    recall_timeout_seconds: int
    auto_no_show: bool
    kiosk_tickets_per_minute: int
    remote_tickets_per_hour: int


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
    sort_order: int = 0
    active: bool = True


class TopicPatch(Patch):
    NULLABLE = frozenset({"parent_id", "target_wait_seconds"})
    name: LocalisedName | None = None
    prefix: Prefix | None = None
    parent_id: Id | None = None
    target_wait_seconds: TargetWait | None = None
    operations: list[LocalisedOperation] | None = Field(default=None, max_length=100)
    sort_order: Annotated[StrictInt, Field(ge=0, le=1_000_000)] | None = None
    active: StrictBool | None = None


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
    active: bool = True


class WindowPatch(Patch):
    number: Annotated[StrictInt, Field(ge=1, le=9999)] | None = None
    name: Annotated[str, StringConstraints(max_length=100), AfterValidator(_printable)] | None = (
        None
    )
    active: StrictBool | None = None


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
    active: bool = True
    skills: list[dict[str, int]] = Field(default_factory=list)


class UserPatch(Patch):
    NULLABLE = frozenset({"office_id"})
    role: RoleName | None = None
    office_id: Id | None = Field(default=None, description="null: no office")
    display_name: (
        Annotated[str, StringConstraints(max_length=200), AfterValidator(_printable)] | None
    ) = Field(default=None, description="empty: the login")
    skills: list[SkillIn] | None = Field(
        default=None, max_length=500, description="all of them; []: every topic of the office"
    )
    active: StrictBool | None = Field(default=None, description="false ends every session")

    def changes(self) -> dict[str, Any]:
        """What was sent, in the form the use case takes (skills as {topic_id: priority})."""
        sent = {name: getattr(self, name) for name in self.model_fields_set}
        if "skills" in sent:
            sent["skills"] = {s.topic_id: s.priority for s in self.skills or []}
        return sent


PasswordText = Annotated[
    str, StringConstraints(min_length=1, max_length=200), AfterValidator(_printable)
]


class PasswordIn(Strict):
    password: PasswordText


class PasswordChangeIn(Strict):
    current_password: PasswordText
    new_password: PasswordText


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
    active: bool = True


class KioskPatch(Patch):
    NULLABLE = frozenset({"printer"})
    name: ShortText | None = None
    printer: (
        Annotated[str, StringConstraints(max_length=300), AfterValidator(_printable)] | None
    ) = None
    active: StrictBool | None = None


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
    actions: list[str] = Field(
        default_factory=list,
        description="what staff may do to the ticket now, in lifecycle order: call (waiting), "
        "recall (called, within the office's recall_limit), start, finish, no-show, return, "
        "transfer; anything else is 409",
    )


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

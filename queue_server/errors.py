"""Every client error the contract names, one class per code."""

from __future__ import annotations


class QueueError(Exception):
    """A client error: HTTP status, a snake_case code and a message a person can act on."""

    status = 400
    code = "bad_request"
    headers: dict[str, str] | None = None  # sent with the answer (Retry-After)

    def __init__(
        self, detail: str, *, code: str | None = None, status: int | None = None, **values: object
    ):
        # With values, `detail` is a message template that the error handler can translate.
        self.template = detail
        self.values = values
        self.detail = detail.format(**values) if values else detail
        super().__init__(self.detail)
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status


class NotAuthenticated(QueueError):
    status, code = 401, "not_authenticated"


class InvalidCredentials(QueueError):
    status, code = 401, "invalid_credentials"


class Forbidden(QueueError):
    status, code = 403, "forbidden"


class CsrfFailed(QueueError):
    status, code = 403, "csrf_failed"


class WrongPassword(Forbidden):
    """The current password a signed-in user typed is wrong: 403, not 401, because their
    session is still valid (a 401 would tell the page to sign in again)."""

    code = "wrong_password"


class NotFound(QueueError):
    status, code = 404, "not_found"


class OfficeNotFound(NotFound):
    code = "office_not_found"


class TopicNotFound(NotFound):
    code = "topic_not_found"


class TicketNotFound(NotFound):
    code = "ticket_not_found"


class WindowNotFound(NotFound):
    code = "window_not_found"


class KioskNotFound(NotFound):
    code = "kiosk_not_found"


class UserNotFound(NotFound):
    code = "user_not_found"


class Conflict(QueueError):
    status, code = 409, "conflict"


class TopicNotIssuable(Conflict):
    code = "topic_not_issuable"


class OfficeClosed(Conflict):
    code = "office_closed"


class OperatorBusy(Conflict):
    code = "operator_busy"


class WindowBusy(Conflict):
    code = "window_busy"


class InvalidTransition(Conflict):
    code = "invalid_transition"


class AlreadyExists(Conflict):
    code = "already_exists"


class LastAdmin(Conflict):
    code = "last_admin"


class Unprocessable(QueueError):
    status, code = 422, "validation_error"


class PrinterNotAllowed(Unprocessable):
    code = "printer_not_allowed"


class WeakPassword(Unprocessable):
    code = "weak_password"


class TooManyAttempts(QueueError):
    status, code = 429, "too_many_attempts"

    def retry_after(self, seconds: int) -> TooManyAttempts:
        """Tell the client when to try again (the Retry-After header)."""
        self.headers = {"Retry-After": str(seconds)}
        return self


class TooManyTickets(QueueError):
    status, code = 429, "too_many_tickets"


class ServerBusy(QueueError):
    """Not the client's fault, but a person can act on it: try again in a moment."""

    status, code = 503, "server_busy"


class StorageUnavailable(QueueError):
    """The database cannot store data (disk full, read-only, unreachable): nothing was changed,
    and the same request succeeds once the storage is back."""

    status, code = 503, "storage_unavailable"
    headers = {"Retry-After": "30"}  # noqa: RUF012 (read, never changed)

"""The administration pages under /admin, one per section, for admins and managers.

Each page is server-rendered HTML (forms and labels in the user's language) plus a script that
reads and changes everything through /api/v1 like any other client. Managers see their own office
and only what they may edit there: topics, windows, the calendar and operators.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from queue_server import i18n, web
from queue_server.state import get_clock

HERE = Path(__file__).resolve().parent
DOMAIN = "admin"
router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    """The English message id of the section's name."""
    admin_only: bool = False


SECTIONS = (
    Section("offices", "Offices", admin_only=True),
    Section("topics", "Topics"),
    Section("windows", "Windows"),
    Section("users", "Users"),
    Section("kiosks", "Kiosks", admin_only=True),
    Section("calendar", "Calendar"),
    Section("audit", "Audit log"),
)
BY_SLUG = {section.slug: section for section in SECTIONS}

# Texts the scripts show, keyed by the name the scripts use; values are the English msgids.
SCRIPT_TEXTS = {
    "wrong_password": "Wrong login or password.",
    "too_many_attempts": "Too many failed attempts. Wait 15 minutes and try again.",
    "unreachable": "The server does not answer. Check the network and try again.",
    "session_expired": "Your session has ended. Sign in again.",
    "not_staff": "These pages are for managers and administrators. Your account has the role {role}.",
    "admin_only": "Only an administrator edits this section.",
    "no_offices": "No office is available to your account.",
    "save": "Save",
    "failed": "Not saved: {detail}",
    "bad_hours": "Write the hours as 08:00–19:00; several periods separated by commas.",
    "bad_number": "Enter a whole number.",
    "required": "Fill this in.",
    "role_operator": "Operator",
    "role_manager": "Manager",
    "role_admin": "Administrator",
    "active": "Active",
    "retired": "Retired",
    "retire": "Retire",
    "restore": "Bring back",
    "edit": "Edit",
    "move_up": "Move up",
    "move_down": "Move down",
    "top_level": "— top level —",
    "menu": "menu",
    "minutes": "{minutes} min",
    "new_topic": "New topic",
    "edit_topic": "Topic {prefix}: {name}",
    "topic_added": "Topic {name} added.",
    "topic_saved": "Topic {name} saved.",
    "topic_retired": "Topic {name} retired: it has left the kiosk.",
    "topic_restored": "Topic {name} is back on the kiosk.",
    "no_topics": "This office has no topics yet.",
    "operation_ru": "Operation (Russian)",
    "operation_en": "Operation (English)",
    "remove": "Remove",
    "window_n": "Window {number}",
    "window_added": "Window {number} added.",
    "window_saved": "Window {number} saved.",
    "no_windows": "This office has no windows yet.",
    "operator_at": "now: {login}",
    "no_users": "No users here yet.",
    "no_office": "no office",
    "all_topics": "every topic",
    "new_user": "New user",
    "edit_user": "User {login}",
    "user_added": "User {login} added.",
    "user_saved": "User {login} saved.",
    "deactivate": "Deactivate",
    "activate": "Activate",
    "user_deactivated": "{login} is deactivated: every session of theirs has ended.",
    "user_activated": "{login} may sign in again.",
    "password_set": "The new password is set; {login}'s sessions have ended.",
    "priority_hint": "priority",
    "no_skills_hint": "No topic ticked: the operator serves every topic of the office.",
    "kiosk_added": "Kiosk {name} added.",
    "kiosk_saved": "Kiosk {name} saved.",
    "no_kiosks": "This office has no kiosks yet.",
    "no_printer": "no printer",
    "printer_state": "printer: {status}",
    "new_key": "New key",
    "new_key_confirm": "The kiosk's current key stops working at once. Make a new one?",
    "key_shown_once": "Open this link once on the kiosk {name}; it is shown only now:",
    "copy": "Copy",
    "copied": "Copied.",
    "open_page": "Kiosk page",
    "day_off": "Day off",
    "day_hours": "Open {hours}",
    "no_days": "No exception days from today on.",
    "day_saved": "{date} saved.",
    "day_removed": "{date} removed: the usual hours apply.",
    "always_open": "open around the clock",
    "usual_hours": "Usual hours: {hours}",
    "closed": "closed",
    "office_added": "Office {name} added.",
    "office_saved": "Office {name} saved.",
    "open_now": "open now",
    "closed_now": "closed now",
    "current": "current",
    "choose": "Choose",
    "all": "All",
    "system": "the server",
    "no_entries": "No changes in this period.",
    "entries_n": "{count} entries",
    "action_created": "created",
    "action_changed": "changed",
    "action_retired": "retired",
    "action_restored": "brought back",
    "action_password_reset": "password reset",
    "action_password_changed": "password changed",
    "action_key_renewed": "new key",
    "action_deleted": "removed",
    "object_office": "office",
    "object_topic": "topic",
    "object_window": "window",
    "object_user": "user",
    "object_kiosk": "kiosk",
    "object_calendar": "calendar day",
    "yes": "yes",
    "no": "no",
    "field_name": "name",
    "field_address": "address",
    "field_timezone": "time zone",
    "field_hours": "hours",
    "field_peak": "peak hours",
    "field_active": "active",
    "field_prefix": "prefix",
    "field_parent_id": "menu",
    "field_sort_order": "order",
    "field_target_wait_seconds": "wait targets, s",
    "field_operations": "operations",
    "field_number": "number",
    "field_printer": "printer",
    "field_role": "role",
    "field_office_id": "office",
    "field_skills": "skills",
    "field_display_name": "display name",
    "field_note": "note",
    "field_password": "password",
    "field_recall_limit": "recall limit",
    "field_recall_timeout_seconds": "recall timeout, s",
    "field_auto_no_show": "automatic no-show",
    "field_max_priority_in_row": "priority tickets in a row",
    "field_kiosk_tickets_per_minute": "kiosk tickets per minute",
    "field_remote_open": "remote tickets",
    "field_remote_tickets_per_hour": "remote tickets per hour",
}


def _context(request: Request, section: Section) -> dict[str, object]:
    lang = web.page_language(request)
    translate = i18n.translator(lang, DOMAIN)
    return {
        "section": section,
        "sections": [(s, translate(s.title)) for s in SECTIONS],
        "config": {
            "section": section.slug,
            "adminOnly": section.admin_only,
            # The server's clock, not the browser's: "today" of the calendar and the audit log.
            "now": get_clock(request).now().isoformat(),
            "texts": i18n.translate_all(SCRIPT_TEXTS, lang, DOMAIN),
        },
    }


@router.get("/admin")
async def admin_home(request: Request) -> RedirectResponse:
    """The topics: the section every admin and manager may edit."""
    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(f"/admin/topics{query}", status_code=303)


@router.get("/admin/{slug}", response_class=HTMLResponse)
async def admin_page(request: Request, slug: str) -> HTMLResponse:
    """One section of the administration: sign-in, then its list and forms."""
    section = BY_SLUG.get(slug)
    if section is None:
        raise HTTPException(404, "There is no such administration page.")
    return web.render(request, f"admin/{slug}.html", DOMAIN, _context(request, section))


def install(app: FastAPI) -> None:
    app.include_router(router)
    web.mount_static(app, "/static/admin", HERE / "static")

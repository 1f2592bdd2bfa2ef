"""The ticket slip as ESC/POS bytes: pure, no device involved (python-escpos's Dummy collects them)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from escpos.printer import Dummy

from queue_server import i18n

# PC866 is table 17 (ESC t 17) on Epson-compatible printers, the usual one with Cyrillic.
CODE_PAGE = "CP866"
# Characters CP866 lacks, mapped to ones it has, so a slip never prints '?' in their place.
PLAIN = str.maketrans(
    {"«": '"', "»": '"', "„": '"', "“": '"', "”": '"', "—": "-", "–": "-", "‑": "-", "…": "..."}
)
QR_SIZE = 6  # dots per module: about 25 mm wide for a status URL on a 203 dpi printer


@dataclass(frozen=True, slots=True)
class Slip:
    """Everything printed on a ticket, already in the office's language and time zone."""

    office_name: str
    office_address: str
    topic_name: str
    number: str
    issued_local: datetime
    people_ahead: int
    wait_seconds: int
    status_url: str
    target_peak_seconds: int | None = None
    target_offpeak_seconds: int | None = None
    priority: bool = False
    lang: str = i18n.DEFAULT_LANGUAGE  # the language the visitor chose on the kiosk


def minutes(seconds: int) -> int:
    """Whole minutes, rounded up, so an estimate never looks shorter than it is."""
    return max(0, math.ceil(seconds / 60))


def waiting_standard_note(
    peak_seconds: int | None, offpeak_seconds: int | None, lang: str = i18n.DEFAULT_LANGUAGE
) -> str:
    """'Норматив ожидания: 20 мин в часы пик, 7 мин вне пика', or '' when the topic has none."""
    _ = i18n.translator(lang, "slip")
    parts = []
    if peak_seconds:
        parts.append(_("{minutes} min at peak hours", minutes=minutes(peak_seconds)))
    if offpeak_seconds:
        parts.append(_("{minutes} min off-peak", minutes=minutes(offpeak_seconds)))
    return _("Waiting standard: {parts}", parts=", ".join(parts)) if parts else ""


def queue_lines(
    people_ahead: int, wait_seconds: int, lang: str = i18n.DEFAULT_LANGUAGE
) -> list[str]:
    _ = i18n.translator(lang, "slip")
    if people_ahead == 0:
        return [_("Nobody is ahead of you"), _("You will be called soon")]
    return [
        _("People ahead: {count}", count=people_ahead),
        _("Wait: about {minutes} min", minutes=minutes(wait_seconds)),
    ]


def render_slip(slip: Slip) -> bytes:
    """ESC/POS: init, CP866, office, topic, the number in double size, time, queue, QR, note, cut."""
    _ = i18n.translator(slip.lang, "slip")
    printer = Dummy()
    printer.hw("INIT")
    printer.charcode(CODE_PAGE)  # sends ESC t 17 before the first text
    printer.set(align="center", bold=True)
    printer.textln(slip.office_name.translate(PLAIN))
    printer.set(align="center", bold=False)
    if slip.office_address:
        printer.textln(slip.office_address.translate(PLAIN))
    printer.textln("-" * 32)
    printer.textln(slip.topic_name.translate(PLAIN))
    printer.set(align="center", bold=True, double_height=True, double_width=True)
    printer.textln(slip.number)
    printer.set(align="center", bold=False, normal_textsize=True)
    if slip.priority:
        printer.textln(_("Priority service"))
    printer.textln(slip.issued_local.strftime("%d.%m.%Y  %H:%M"))
    for line in queue_lines(slip.people_ahead, slip.wait_seconds, slip.lang):
        printer.textln(line)
    printer.ln()
    printer.qr(slip.status_url, size=QR_SIZE, native=True)
    printer.textln(_("Follow the queue on your phone"))
    note = waiting_standard_note(slip.target_peak_seconds, slip.target_offpeak_seconds, slip.lang)
    if note:
        printer.textln(note)
    printer.cut()
    output: bytes = printer.output
    return output

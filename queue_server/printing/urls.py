"""Printer addresses as admins write them: tcp://, usb://, serial://, file://, and which of them
this server may write to (a printer URL must never be a way to overwrite a file)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import NewType
from urllib.parse import parse_qs, urlsplit

USB_ID = re.compile(r"^(0x)?[0-9a-fA-F]{1,4}$")
FORMS = "tcp://HOST:PORT, usb://VID:PID, serial:///dev/ttyUSB0 or file:///PATH"
OPTIONS = "status=off (for a printer that never answers status queries), baudrate=N (serial)"
# Where a printer can answer the real-time status query (DLE EOT): a file cannot be read back.
ANSWERING_SCHEMES = frozenset({"tcp", "usb", "serial"})
# Serial ports a receipt printer is attached to (USB adapters, CDC-ACM, on-board UARTs, the
# Raspberry Pi's), and udev's stable names for them; never a disk, a terminal or a plain file.
SERIAL_PORT = re.compile(r"^/dev/(tty(USB|ACM|S|AMA)[0-9]{1,3}|serial/by-(id|path)/[^/]+)$")
SERIAL_PORTS = "/dev/ttyUSB*, /dev/ttyACM*, /dev/ttyS*, /dev/ttyAMA*, /dev/serial/by-id/*"


@dataclass(frozen=True, slots=True)
class PrinterAddress:
    scheme: str
    host: str = ""
    port: int = 9100
    vendor_id: int = 0
    product_id: int = 0
    path: str = ""
    # Ask the printer for its paper status before printing: proves it is there and has paper.
    query_status: bool = True
    baudrate: int = 9600

    @property
    def asks_status(self) -> bool:
        return self.query_status and self.scheme in ANSWERING_SCHEMES


@dataclass(frozen=True, slots=True)
class _Options:
    query_status: bool = True
    baudrate: int = 9600


def _options(url: str, query: str) -> _Options:
    """`?status=off` and `?baudrate=19200`; anything else is refused rather than ignored."""
    query_status, baudrate = True, 9600
    for key, values in parse_qs(query, keep_blank_values=True).items():
        value = values[-1]
        if key == "status" and value in ("on", "off"):
            query_status = value == "on"
        elif key == "baudrate" and value.isdigit() and 0 < int(value) <= 4_000_000:
            baudrate = int(value)
        else:
            raise ValueError(f"'{url}' has an unknown option '{key}={value}'; options: {OPTIONS}")
    return _Options(query_status, baudrate)


def parse_printer_url(url: str) -> PrinterAddress:
    """Parse and check a printer URL; ValueError with a message that says what form is expected."""
    try:
        parts = urlsplit(url)
        # Only tcp has a port: usb://04b8:0e15 has a product id there, not a number.
        port = parts.port if parts.scheme == "tcp" else None
    except ValueError as error:
        raise ValueError(f"'{url}' is not a printer address; use {FORMS}") from error
    found = _options(url, parts.query)
    address: PrinterAddress | None = None
    if parts.scheme == "tcp" and parts.hostname:
        address = PrinterAddress("tcp", host=parts.hostname, port=port or 9100)
    elif parts.scheme == "usb":
        vendor, _, product = parts.netloc.partition(":")
        if USB_ID.match(vendor) and USB_ID.match(product):
            address = PrinterAddress("usb", vendor_id=int(vendor, 16), product_id=int(product, 16))
    elif parts.scheme in ("serial", "file") and parts.path.startswith("/") and not parts.netloc:
        address = PrinterAddress(parts.scheme, path=parts.path)
    if address is not None:
        return replace(address, query_status=found.query_status, baudrate=found.baudrate)
    raise ValueError(f"'{url}' is not a printer address; use {FORMS}")


# An address that allowed_printer has checked: the only kind printers.py opens.
AllowedAddress = NewType("AllowedAddress", PrinterAddress)


class NotAPrinter(ValueError):
    """A well-formed address of something that is not a printer this server may write to."""


def allowed_printer(url: str, spool_dir: Path | None) -> AllowedAddress:
    """Parse `url` and check that it names a printer: file:// only inside `spool_dir` (None:
    nowhere), serial:// only a serial port; paths come back resolved, so what was checked is
    what is opened. ValueError for a malformed URL, NotAPrinter for a refused one."""
    address = parse_printer_url(url)
    if address.scheme in ("file", "serial"):
        # realpath follows symlinks and folds "..": the check sees the file that would be written.
        resolved = os.path.realpath(address.path)
        if address.scheme == "file":
            _check_spooled(url, resolved, spool_dir)
        elif not SERIAL_PORT.match(resolved):
            raise NotAPrinter(f"'{url}' is not a serial printer port; use one of {SERIAL_PORTS}")
        address = replace(address, path=resolved)
    return AllowedAddress(address)


def _check_spooled(url: str, resolved: str, spool_dir: Path | None) -> None:
    if spool_dir is None:
        raise NotAPrinter(f"'{url}': file printers are off on this server")
    spool = Path(os.path.realpath(spool_dir))
    path = Path(resolved)
    if path == spool or not path.is_relative_to(spool):
        raise NotAPrinter(
            f"'{url}' is outside the print spool directory; a file printer must be a file "
            f"inside {spool} (QUEUE_SPOOL_DIR), such as file://{spool / 'kiosk-1.prn'}, or use "
            f"tcp://, usb:// or serial://"
        )

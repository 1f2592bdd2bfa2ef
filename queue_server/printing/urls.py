"""Printer addresses as admins write them: tcp://, usb://, serial://, file://."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from urllib.parse import parse_qs, urlsplit

USB_ID = re.compile(r"^(0x)?[0-9a-fA-F]{1,4}$")
FORMS = "tcp://HOST:PORT, usb://VID:PID, serial:///dev/ttyUSB0 or file:///PATH"
OPTIONS = "status=off (for a printer that never answers status queries), baudrate=N (serial)"
# Where a printer can answer the real-time status query (DLE EOT): a file cannot be read back.
ANSWERING_SCHEMES = frozenset({"tcp", "usb", "serial"})


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

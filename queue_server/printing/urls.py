"""Printer addresses as admins write them: tcp://, usb://, serial://, file://."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

USB_ID = re.compile(r"^(0x)?[0-9a-fA-F]{1,4}$")


@dataclass(frozen=True, slots=True)
class PrinterAddress:
    scheme: str
    host: str = ""
    port: int = 9100
    vendor_id: int = 0
    product_id: int = 0
    path: str = ""


def parse_printer_url(url: str) -> PrinterAddress:
    """Parse and check a printer URL; ValueError with a message that says what form is expected."""
    forms = "tcp://HOST:PORT, usb://VID:PID, serial:///dev/ttyUSB0 or file:///PATH"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise ValueError(f"'{url}' is not a printer address; use {forms}") from error
    if parts.scheme == "tcp" and parts.hostname:
        return PrinterAddress("tcp", host=parts.hostname, port=port or 9100)
    if parts.scheme == "usb":
        vendor, _, product = parts.netloc.partition(":")
        if USB_ID.match(vendor) and USB_ID.match(product):
            return PrinterAddress("usb", vendor_id=int(vendor, 16), product_id=int(product, 16))
    if parts.scheme in ("serial", "file") and parts.path.startswith("/") and not parts.netloc:
        return PrinterAddress(parts.scheme, path=parts.path)
    raise ValueError(f"'{url}' is not a printer address; use {forms}")

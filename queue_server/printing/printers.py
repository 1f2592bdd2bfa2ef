"""Sending a rendered slip to a real printer through python-escpos, blocking, within a deadline.

Runs in a worker thread (services/slips.py wraps it with asyncio.wait_for); every device operation
gets a timeout no longer than the time left, so the thread ends soon after the caller gave up.
"""

from __future__ import annotations

import socket
import time
from typing import Any

from escpos import printer as escpos_printer
from escpos.constants import RT_STATUS_PAPER
from escpos.escpos import Escpos

from queue_server.printing.urls import AllowedAddress, PrinterAddress

# DLE EOT 4 answer bits (ESC/POS real-time status, paper roll sensor).
PAPER_END = 0x60
PAPER_NEAR_END = 0x0C


class PrinterError(Exception):
    """The slip did not print; the message says why in words a manager can act on."""


class Deadline:
    """Seconds left until a fixed instant, never less than a tiny positive number."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.until = time.monotonic() + seconds

    def left(self) -> float:
        return max(0.01, self.until - time.monotonic())

    def passed(self) -> bool:
        return time.monotonic() >= self.until


def open_printer(address: AllowedAddress, deadline: Deadline) -> Escpos:
    """A connected python-escpos printer for the address, with timeouts from the deadline; only
    an address that urls.allowed_printer passed, so no URL can open an arbitrary file."""
    device: Any
    if address.scheme == "tcp":
        device = escpos_printer.Network(address.host, address.port, timeout=deadline.left())
    elif address.scheme == "usb":
        # pyusb counts its timeouts in milliseconds
        device = escpos_printer.Usb(
            address.vendor_id, address.product_id, timeout=int(deadline.left() * 1000)
        )
    elif address.scheme == "serial":
        device = escpos_printer.Serial(
            address.path, baudrate=address.baudrate, timeout=deadline.left()
        )
    elif address.scheme == "file":
        device = escpos_printer.File(address.path)
    else:
        raise PrinterError(f"unsupported printer scheme '{address.scheme}'")
    device.open()
    return device


def _limit_io(device: Any, address: PrinterAddress, deadline: Deadline) -> None:
    """Shrink the connection's own timeouts to what is left of the deadline."""
    if address.scheme == "tcp":
        device.device.settimeout(deadline.left())
    elif address.scheme == "serial":
        device.device.timeout = deadline.left()
        device.device.write_timeout = deadline.left()
    elif address.scheme == "usb":
        device.timeout = int(deadline.left() * 1000)


def check_paper(device: Any, address: PrinterAddress, deadline: Deadline) -> str:
    """Ask for the paper status; PrinterError when there is no answer or no paper, else a note."""
    _limit_io(device, address, deadline)
    device._raw(RT_STATUS_PAPER)
    answer = device._read()
    while not answer and address.scheme != "tcp" and not deadline.passed():
        time.sleep(0.02)  # a serial read returns nothing on timeout; ask the port again
        answer = device._read()
    if not answer and address.scheme == "tcp":
        raise PrinterError("the printer closed the connection without answering")
    if not answer:
        raise PrinterError(f"the printer did not answer within {deadline.seconds:.1f} s")
    status = answer[-1]
    if status & PAPER_END == PAPER_END:
        raise PrinterError("the printer is out of paper")
    if status & PAPER_NEAR_END:
        return "paper is running out"
    return ""


def _describe(error: BaseException, address: PrinterAddress, deadline: Deadline) -> str:
    if isinstance(error, PrinterError):
        return str(error)
    text = str(error).lower()
    if isinstance(error, TimeoutError | socket.timeout) or "timed out" in text:
        return f"the printer did not answer within {deadline.seconds:.1f} s"
    if "refused" in text:
        return f"the printer at {address.host}:{address.port} refused the connection"
    if "not found" in text or "no such file" in text or "could not open" in text:
        return "the printer is not connected or switched off"
    first_line = (str(error).strip().splitlines() or [type(error).__name__])[-1]
    return f"printer error: {first_line}"[:300]


def send_slip(address: AllowedAddress, data: bytes, seconds: float) -> str:
    """Print `data`; returns a note ('' or a warning such as low paper), PrinterError on failure."""
    deadline = Deadline(seconds)
    device: Any = None
    try:
        device = open_printer(address, deadline)
        note = check_paper(device, address, deadline) if address.asks_status else ""
        _limit_io(device, address, deadline)
        device._raw(data)
        return note
    # OSError, python-escpos's errors, and pyusb's and pyserial's own types: report, never crash
    except Exception as error:
        raise PrinterError(_describe(error, address, deadline)) from error
    finally:
        if device is not None:
            _close_quietly(device)


def _close_quietly(device: Any) -> None:
    try:
        device.close()
    except Exception:  # closing a broken connection may fail too; the result is already known
        device._device = False

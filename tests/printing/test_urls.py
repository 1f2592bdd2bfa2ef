"""Printer addresses as admins type them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from queue_server.printing.urls import NotAPrinter, allowed_printer, parse_printer_url


def test_the_four_forms() -> None:
    tcp = parse_printer_url("tcp://192.168.1.50:9100")
    assert (tcp.scheme, tcp.host, tcp.port, tcp.asks_status) == ("tcp", "192.168.1.50", 9100, True)
    assert parse_printer_url("tcp://printer.local").port == 9100
    usb = parse_printer_url("usb://04b8:0e15")
    assert (usb.vendor_id, usb.product_id) == (0x04B8, 0x0E15)
    serial = parse_printer_url("serial:///dev/ttyUSB0?baudrate=19200")
    assert (serial.path, serial.baudrate) == ("/dev/ttyUSB0", 19200)
    file = parse_printer_url("file:///dev/usb/lp0")
    assert (file.path, file.asks_status) == ("/dev/usb/lp0", False)


def test_status_queries_can_be_switched_off_for_printers_that_never_answer() -> None:
    assert parse_printer_url("tcp://10.0.0.5:9100?status=off").asks_status is False


@pytest.mark.parametrize(
    "url",
    ["http://x:9100", "tcp://", "usb://zz:1", "serial://dev", "tcp://h:99999", "tcp://h?x=1", ""],
)
def test_anything_else_is_refused_with_the_forms_named(url: str) -> None:
    with pytest.raises(ValueError, match=r"tcp://HOST:PORT|option"):
        parse_printer_url(url)


def test_a_file_printer_writes_only_inside_the_spool_directory(tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    inside = allowed_printer(f"file://{spool}/kiosk-1.prn", spool)
    assert inside.path == str(spool / "kiosk-1.prn")
    for url in (f"file://{tmp_path}/queue.sqlite3", f"file://{spool}", "file:///etc/passwd"):
        with pytest.raises(NotAPrinter, match=re.escape(f"inside {spool} (QUEUE_SPOOL_DIR)")):
            allowed_printer(url, spool)
    with pytest.raises(NotAPrinter, match="file printers are off"):
        allowed_printer(f"file://{spool}/kiosk-1.prn", None)


def test_paths_are_resolved_before_the_check(tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    spool.mkdir()
    (tmp_path / "queue.sqlite3").write_bytes(b"SQLite format 3\x00")
    (spool / "kiosk-1.prn").symlink_to(tmp_path / "queue.sqlite3")
    for url in (f"file://{spool}/../queue.sqlite3", f"file://{spool}/kiosk-1.prn"):
        with pytest.raises(NotAPrinter, match="outside the print spool directory"):
            allowed_printer(url, spool)
    (tmp_path / "elsewhere").symlink_to(spool)  # a link to the spool itself leads inside it
    assert allowed_printer(f"file://{tmp_path}/elsewhere/a.prn", spool).path == str(spool / "a.prn")


@pytest.mark.parametrize(
    "port",
    ["/dev/ttyUSB0", "/dev/ttyACM1", "/dev/ttyS0", "/dev/ttyAMA0", "/dev/serial/by-id/usb-Epson"],
)
def test_a_serial_printer_may_be_a_serial_port(port: str) -> None:
    assert allowed_printer(f"serial://{port}?baudrate=19200", None).path == port


@pytest.mark.parametrize(
    "path", ["/etc/shadow", "/dev/sda", "/dev/ttyUSB0/../sda", "/dev/tty", "/dev/tty1", "/tmp/x"]
)
def test_a_serial_printer_may_not_be_anything_else(path: str) -> None:
    with pytest.raises(NotAPrinter, match=r"not a serial printer port; use one of /dev/ttyUSB\*"):
        allowed_printer(f"serial://{path}", None)


def test_network_and_usb_printers_are_allowed_as_written() -> None:
    assert allowed_printer("tcp://10.0.0.5:9101", None).port == 9101
    assert allowed_printer("usb://04b8:0e15", None).vendor_id == 0x04B8
    with pytest.raises(ValueError, match="tcp://HOST:PORT"):
        allowed_printer("usb://04b8", None)

"""Printer addresses as admins type them."""

from __future__ import annotations

import pytest

from queue_server.printing.urls import parse_printer_url


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

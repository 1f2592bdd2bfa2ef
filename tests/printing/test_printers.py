"""python-escpos backends against real endpoints: a loopback TCP printer, files, absent devices."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from queue_server.printing.printers import PrinterError, send_slip
from queue_server.printing.urls import allowed_printer
from tests.printing.fake_printer import (
    PAPER_NEAR_END,
    PAPER_OUT,
    PAPER_QUERY,
    loopback_printer,
    refusing_port,
)

JOB = b"\x1b@\x1bt\x11" + "Талон".encode("cp866") + b"\x1dV\x00"


def test_network_printer_is_asked_for_paper_then_gets_the_job() -> None:
    with loopback_printer() as printer:
        note = send_slip(allowed_printer(printer.url, None), JOB, 3.0)
        received = printer.wait_for_job()
    assert note == ""
    assert received == PAPER_QUERY + JOB


def test_low_paper_prints_and_says_so() -> None:
    with loopback_printer(PAPER_NEAR_END) as printer:
        note = send_slip(allowed_printer(printer.url, None), JOB, 3.0)
        assert printer.wait_for_job().endswith(JOB)
    assert note == "paper is running out"


def test_out_of_paper_is_a_failure_and_nothing_is_sent() -> None:
    with loopback_printer(PAPER_OUT) as printer:
        with pytest.raises(PrinterError, match="out of paper"):
            send_slip(allowed_printer(printer.url, None), JOB, 3.0)
        assert printer.wait_for_job() == PAPER_QUERY


def test_refused_connection_fails_at_once() -> None:
    started = time.monotonic()
    with pytest.raises(PrinterError, match="refused"):
        send_slip(allowed_printer(f"tcp://127.0.0.1:{refusing_port()}", None), JOB, 3.0)
    assert time.monotonic() - started < 1.0


def test_printer_that_never_answers_fails_at_the_deadline() -> None:
    with loopback_printer(paper=None) as printer:
        started = time.monotonic()
        with pytest.raises(PrinterError, match=r"did not answer within 1\.5 s"):
            send_slip(allowed_printer(printer.url, None), JOB, 1.5)
        assert 1.4 < time.monotonic() - started < 2.0


def test_status_off_sends_without_asking() -> None:
    with loopback_printer(paper=None) as printer:
        send_slip(allowed_printer(f"{printer.url}?status=off", None), JOB, 3.0)
        assert printer.wait_for_job() == JOB


def test_file_printer_writes_the_bytes(tmp_path: Path) -> None:
    target = tmp_path / "lp0"
    send_slip(allowed_printer(f"file://{target}", tmp_path), JOB, 3.0)
    assert target.read_bytes() == JOB


def test_file_printer_in_a_missing_place_fails(tmp_path: Path) -> None:
    with pytest.raises(PrinterError, match="not connected"):
        send_slip(allowed_printer(f"file://{tmp_path}/absent/lp0", tmp_path), JOB, 3.0)


def test_absent_serial_and_usb_printers_fail_quickly() -> None:
    for url in ("serial:///dev/serial/by-id/usb-no-such-printer", "usb://ffff:fffe"):
        started = time.monotonic()
        with pytest.raises(PrinterError):
            send_slip(allowed_printer(url, None), JOB, 3.0)
        assert time.monotonic() - started < 3.0

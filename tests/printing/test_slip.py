"""The slip's ESC/POS bytes, as python-escpos's Dummy printer collects them."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from queue_server.printing.slip import Slip, render_slip, waiting_standard_note

ESC, GS = b"\x1b", b"\x1d"
TOPIC = "Заключение и сопровождение договора"


def slip(**changes: object) -> Slip:
    values: dict[str, object] = {
        "office_name": "ЦОК Липецк, пр. Победы, 87а",
        "office_address": "г. Липецк, пр. Победы, 87а",
        "topic_name": TOPIC,
        "number": "A015",
        "issued_local": datetime(2026, 11, 23, 10, 30, tzinfo=ZoneInfo("Europe/Moscow")),
        "people_ahead": 3,
        "wait_seconds": 690,
        "status_url": "https://queue.example/t/abcDEF123",
        "target_peak_seconds": 1200,
        "target_offpeak_seconds": 420,
    }
    values.update(changes)
    return Slip(**values)  # type: ignore[arg-type]


def test_slip_starts_with_init_and_selects_cp866_before_any_text() -> None:
    data = render_slip(slip())
    assert data.startswith(ESC + b"@")
    code_page = data.index(ESC + b"t\x11")  # ESC t 17: PC866
    assert code_page < data.index("ЦОК".encode("cp866"))


def test_cyrillic_is_encoded_in_cp866_never_utf8() -> None:
    data = render_slip(slip())
    assert TOPIC.encode("cp866") in data
    assert "г. Липецк, пр. Победы, 87а".encode("cp866") in data
    assert "Перед вами: 3 чел.".encode("cp866") in data
    assert "Ожидание: около 12 мин".encode("cp866") in data
    assert TOPIC.encode("utf-8") not in data
    assert b"?" not in data.replace(b"https://queue.example/t/abcDEF123", b"")


def test_number_is_printed_in_double_size_then_back_to_normal() -> None:
    data = render_slip(slip())
    number_at = data.index(b"A015\n")
    assert data.rfind(ESC + b"!0", 0, number_at) > data.rfind(ESC + b"!\x00", 0, number_at)
    assert ESC + b"!\x00" in data[number_at:]


def test_date_and_time_in_the_office_zone() -> None:
    assert b"23.11.2026  10:30" in render_slip(slip())


def test_qr_code_is_native_gs_k_with_the_status_url() -> None:
    data = render_slip(slip())
    url = b"https://queue.example/t/abcDEF123"
    store = GS + b"(k" + (len(url) + 3).to_bytes(2, "little") + b"1P0" + url
    assert store in data
    assert GS + b"(k\x03\x001Q0" in data  # print the stored symbol


def test_waiting_standard_note_and_cut_at_the_end() -> None:
    data = render_slip(slip())
    note = "Норматив ожидания: 20 мин в часы пик, 7 мин вне пика".encode("cp866")
    assert note in data
    assert data.endswith(GS + b"V\x00")
    assert data.index(note) < data.index(GS + b"V")


def test_nobody_ahead_and_priority_are_said_plainly() -> None:
    data = render_slip(slip(people_ahead=0, wait_seconds=0, priority=True))
    assert "Перед вами никого нет".encode("cp866") in data
    assert "Приоритетное обслуживание".encode("cp866") in data


def test_characters_outside_cp866_are_replaced_not_lost() -> None:
    data = render_slip(slip(topic_name="Платные услуги — «Энергоаудит»"))
    assert 'Платные услуги - "Энергоаудит"'.encode("cp866") in data


def test_waiting_standard_note_forms() -> None:
    assert waiting_standard_note(1200, 420) == (
        "Норматив ожидания: 20 мин в часы пик, 7 мин вне пика"
    )
    assert waiting_standard_note(None, 600) == "Норматив ожидания: 10 мин вне пика"
    assert waiting_standard_note(None, None) == ""
    plain = render_slip(slip(target_peak_seconds=None, target_offpeak_seconds=None))
    assert "Норматив".encode("cp866") not in plain


def test_an_english_slip_for_a_visitor_who_chose_english() -> None:
    data = render_slip(slip(lang="en", topic_name="Energy audit", people_ahead=3, wait_seconds=600))
    for line in (
        "Energy audit",
        "People ahead: 3",
        "Wait: about 10 min",
        "Follow the queue on your phone",
        "Waiting standard: 20 min at peak hours, 7 min off-peak",
    ):
        assert line.encode("cp866") in data, line
    assert "Перед".encode("cp866") not in data

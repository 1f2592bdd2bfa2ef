"""The outbox delivers locally at once and never lets a stuck broker hold up anything else."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import pytest

from queue_server.realtime.brokers import Receiver, Reconnected
from queue_server.realtime.outbox import Outbox
from tests.support import run_coroutine

Message = dict[str, Any]


class StuckBroker:
    """A broker whose first `stuck` sends never return, not even when cancelled (a wedged
    connection's clean-up); the later ones go through."""

    def __init__(self, stuck: int) -> None:
        self.stuck = stuck
        self.sent: list[int] = []
        self.release = asyncio.Event()

    async def start(self, receive: Receiver, reconnected: Reconnected) -> None:
        return None

    async def publish(self, office_id: int, message: Message) -> None:
        if self.stuck > 0:
            self.stuck -= 1
            while not self.release.is_set():
                try:
                    await self.release.wait()
                except asyncio.CancelledError:
                    continue  # swallowed: asyncio.wait_for would wait here for ever
        self.sent.append(int(message["seq"]))

    async def stop(self) -> None:
        self.release.set()


def event(seq: int) -> Message:
    return {"type": "ticket.issued", "seq": seq, "office_id": 1, "at": ""}


def test_a_stuck_broker_costs_each_event_its_deadline_and_nothing_more(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="queue_server.realtime.outbox")

    async def scenario() -> tuple[list[int], list[int], float]:
        broker = StuckBroker(stuck=2)
        outbox = Outbox(broker, deadline_seconds=0.2)
        local: list[int] = []
        await outbox.start(lambda _office, message: local.append(int(message["seq"])))
        started = time.monotonic()
        for seq in range(1, 5):
            outbox.publish(1, event(seq))
        publish_took = time.monotonic() - started
        assert local == [1, 2, 3, 4]  # delivered here before publish returned
        assert publish_took < 0.05
        deadline = time.monotonic() + 5
        while broker.sent != [3, 4]:
            assert time.monotonic() < deadline, broker.sent
            await asyncio.sleep(0.01)
        drained_after, sent = time.monotonic() - started, list(broker.sent)
        await outbox.stop()
        await broker.stop()
        return local, sent, drained_after

    local, sent, drained_after = run_coroutine(scenario())
    assert sent == [3, 4]  # the two stuck ones were given up, the rest still went
    assert 0.35 < drained_after < 2.0
    assert local == [1, 2, 3, 4]
    # One line when the outage begins and one when it ends, not one per event.
    assert [record.getMessage().split(" (")[0] for record in caplog.records] == [
        "the broker did not take event 1 of office 1",
        "the broker takes events again; 2 were not sent",
    ]


def test_a_full_outbox_drops_what_does_not_fit_and_still_delivers_it_here() -> None:
    async def scenario() -> tuple[list[int], int, int]:
        broker = StuckBroker(stuck=1)
        outbox = Outbox(broker, max_pending=3, deadline_seconds=10)
        local: list[int] = []
        await outbox.start(lambda _office, message: local.append(int(message["seq"])))
        outbox.publish(1, event(1))
        await asyncio.sleep(0.05)  # the first is being sent (and stuck)
        for seq in range(2, 8):
            outbox.publish(1, event(seq))
        pending, dropped = outbox.pending, outbox.dropped
        await outbox.stop()
        await broker.stop()
        return local, pending, dropped

    local, pending, dropped = run_coroutine(scenario())
    assert local == list(range(1, 8))
    assert (pending, dropped) == (3, 3)

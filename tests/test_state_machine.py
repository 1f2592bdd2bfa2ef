"""Random sequences of operator and visitor actions never break the lifecycle's invariants.

Hypothesis drives the real services (the same functions the API routers call) on a real SQLite
file with a frozen clock, and checks after every step, against the database:
- a ticket is held by at most one window, and that window is occupied by its operator;
- an operator holds at most one ticket;
- counts balance: issued = waiting + called + serving + done + no_show + expired;
- numbers are unique and read as prefix + sequence;
- the event log has one event per change, seq without gaps, and ends in each ticket's state;
- a refused action changes nothing at all (the whole database is compared before and after);
- every answer (success or the refusal's code) is the one a simple model of the rules predicts,
  and call-next gives the very ticket the routing policy picks.
"""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select

from queue_server.clock import FrozenClock
from queue_server.core.lifecycle import (
    Action,
    TicketStatus,
    TransitionRefused,
    allowed_actions,
    next_status,
)
from queue_server.core.numbering import format_number
from queue_server.core.routing import (
    QueuedTicket,
    RoutingPolicy,
    choose_next,
    next_priority_streak,
)
from queue_server.db.engine import Database
from queue_server.db.models import Event, NumberCounter, Ticket, User, Window
from queue_server.errors import QueueError
from queue_server.services import calling, catalogue, issuing, operators, serving
from queue_server.services.access import Principal, Role
from queue_server.services.auth import Passwords
from tests import support
from tests.support import DEFAULT_NOW, SqliteTemplates

T = TypeVar("T")
ACTIVE = {TicketStatus.CALLED, TicketStatus.SERVING}
ACTIONS = [
    Action.RECALL,
    Action.START,
    Action.FINISH,
    Action.NO_SHOW,
    Action.RETURN,
    Action.TRANSFER,
]
TOPICS = ("A", "B", "M", "C")  # M is a menu holding C: not issuable, not a transfer target
OPERATORS = 3
WINDOWS = 3
RECALL_LIMIT = 2  # the office's default
# A morning: operators take turns (call, or act on the ticket in hand), visitors arrive, someone
# tries an action the ticket's state forbids, operators pause or leave, minutes pass.
MOVES = ["turn"] * 6 + ["issue"] * 3 + ["meddle"] * 2 + ["presence", "wait"]
# Usually the operator's own window (None), sometimes a colleague's: window_busy must happen too.
WINDOW = st.none() | st.integers(0, WINDOWS - 1)


@dataclass
class ModelTicket:
    id: int
    topic: str
    priority: bool
    queued_at: datetime
    status: TicketStatus = TicketStatus.WAITING
    operator: int | None = None
    window: int | None = None
    recalls: int = 0


@dataclass
class Model:
    """What the rules say the world should look like."""

    tickets: dict[int, ModelTicket] = field(default_factory=dict)
    window_holder: dict[int, int | None] = field(default_factory=dict)
    paused: set[int] = field(default_factory=set)
    streak: dict[int, int] = field(default_factory=lambda: dict.fromkeys(range(OPERATORS), 0))

    def held_by(self, operator: int) -> ModelTicket | None:
        return next(
            (t for t in self.tickets.values() if t.operator == operator and t.status in ACTIVE),
            None,
        )


class LifecycleMachine(RuleBasedStateMachine):
    templates: ClassVar[SqliteTemplates]
    directory: ClassVar[Path]
    passwords: ClassVar[Passwords]
    succeeded: ClassVar[Counter[str]] = Counter()  # across examples: proof the run reached each

    def __init__(self) -> None:
        super().__init__()
        self.runner = asyncio.Runner()
        self.database = Database(self.templates.fresh(self.directory))
        self.clock = FrozenClock(DEFAULT_NOW)
        self.model = Model()
        self.topic_ids: dict[str, int] = {}
        self.skills: list[dict[int, int] | None] = []
        self.principals: list[Principal] = []
        self.window_ids: list[int] = []
        self.office_id = 0

    def run(self, work: Awaitable[T]) -> T:
        return self.runner.run(work)  # type: ignore[arg-type]

    def teardown(self) -> None:
        self.run(self.database.dispose())
        self.runner.close()

    # --- the office -----------------------------------------------------------------------------

    @initialize()
    def set_up_office(self) -> None:
        self.succeeded["(examples)"] += 1
        self.run(self._set_up())

    async def _set_up(self) -> None:
        now = self.clock.now()
        async with self.database.unit_of_work() as uow:
            office = await catalogue.create_office(
                uow, catalogue.OfficeSpec("Office", "Lipetsk", "Europe/Moscow", None), now
            )
            self.office_id = office.id
            for prefix in TOPICS:
                parent = self.topic_ids["M"] if prefix == "C" else None
                spec = catalogue.TopicSpec(f"Тема {prefix}", f"Topic {prefix}", prefix, parent)
                self.topic_ids[prefix] = (
                    await catalogue.create_topic(uow, office.id, spec, now)
                ).id
            for number in range(1, WINDOWS + 1):
                window = await catalogue.create_window(uow, office.id, number, "", now)
                self.window_ids.append(window.id)
                self.model.window_holder[window.id] = None
            # Two generalists and one specialist: B first, C when B is empty.
            specialist = ((self.topic_ids["B"], 1), (self.topic_ids["C"], 2))
            for index in range(OPERATORS):
                skills = specialist if index == 2 else ()
                spec_user = catalogue.UserSpec(
                    f"op{index}", "password-123", Role.OPERATOR, office.id, skills
                )
                user = await catalogue.create_user(uow, self.passwords, spec_user, now)
                self.principals.append(Principal(user.id, user.login, Role.OPERATOR, office.id))
                self.skills.append(dict(skills) or None)

    # --- driving the services and comparing with the model ------------------------------------

    def attempt(self, expected_error: str | None, work: Any) -> Any:
        """Run one use case in its own transaction; a refusal must match and change nothing."""
        self.succeeded["(steps)"] += 1
        self.succeeded[f"(expect {expected_error})"] += 1
        # Predicted successes skip the snapshot; a surprise either way fails below.
        before = self.run(self._snapshot()) if expected_error is not None else None

        async def transaction() -> Any:
            async with self.database.unit_of_work() as uow:
                return await work(uow, self.clock.now())

        try:
            result = self.run(transaction())
        except QueueError as error:
            assert error.code == expected_error, f"refused with {error.code}: {error.detail}"
            assert self.run(self._snapshot()) == before, "a refused action changed something"
            return None
        assert expected_error is None, f"expected {expected_error}, but it succeeded"
        return result

    def ticket_at(self, index: int) -> ModelTicket | None:
        if not self.model.tickets:
            return None
        ids = sorted(self.model.tickets)
        return self.model.tickets[ids[index % len(ids)]]

    def _calling_refusal(self, operator: int, window_id: int) -> str | None:
        holder = self.model.window_holder[window_id]
        if holder is not None and holder != operator:
            return "window_busy"
        if self.model.held_by(operator) is not None:
            return "operator_busy"
        if operator in self.model.paused:
            return "operator_paused"
        return None

    def _occupy(self, operator: int, window_id: int) -> None:
        for other, holder in self.model.window_holder.items():
            if holder == operator:
                self.model.window_holder[other] = None
        self.model.window_holder[window_id] = operator

    def _hand_over(self, ticket_id: int, operator: int, window_id: int) -> None:
        ticket = self.model.tickets[ticket_id]
        assert ticket.status is TicketStatus.WAITING, f"ticket {ticket_id} was not waiting"
        ticket.status, ticket.operator, ticket.window = TicketStatus.CALLED, operator, window_id
        ticket.recalls = 0

    # --- rules ---------------------------------------------------------------------------------

    @rule(
        move=st.sampled_from(MOVES),
        operator=st.integers(0, OPERATORS - 1),
        window=WINDOW,
        choice=st.integers(0, 11),
        topic=st.sampled_from(("A", "B", "C", "A", "B", "M")),  # a menu now and then
        priority=st.booleans(),
        index=st.integers(0, 1000),
    )
    def step(
        self,
        move: str,
        operator: int,
        window: int | None,
        choice: int,
        topic: str,
        priority: bool,
        index: int,
    ) -> None:
        """One move of a busy morning; the weights keep operators working and visitors coming."""
        if move == "turn":
            self.operator_turn(operator, window, choice, topic)
        elif move == "issue":
            self.issue(topic, priority)
        elif move == "meddle" and self.model.tickets:
            self.act_on_any(operator, index, ACTIONS[choice % len(ACTIONS)], topic)
        elif move == "presence":
            self.presence(operator, choice)
        elif move == "wait":
            self.clock.advance(60 * (choice + 1))

    def issue(self, topic: str, priority: bool) -> None:
        request = issuing.IssueRequest(self.office_id, self.topic_ids[topic], priority=priority)
        expected = "topic_not_issuable" if topic == "M" else None
        issued = self.attempt(expected, lambda uow, now: issuing.issue_ticket(uow, request, now))
        ticket = None if issued is None else issued.ticket
        if ticket is not None:
            self.succeeded["issue"] += 1
            self.model.tickets[ticket.id] = ModelTicket(
                ticket.id, topic, priority, self.clock.now()
            )

    def call_next(self, operator: int, window_id: int) -> None:
        expected = self._calling_refusal(operator, window_id)
        principal = self.principals[operator]
        choice = choose_next(
            [
                QueuedTicket(t.id, self.topic_ids[t.topic], t.priority, t.queued_at)
                for t in self.model.tickets.values()
                if t.status is TicketStatus.WAITING
            ],
            self.skills[operator],
            self.model.streak[operator],
            RoutingPolicy(max_priority_in_row=2),
        )
        ticket = self.attempt(
            expected, lambda uow, now: calling.call_next(uow, principal, window_id, now)
        )
        if expected is not None:
            return
        self._occupy(operator, window_id)
        assert (ticket.id if ticket else None) == (choice.id if choice else None)
        if ticket is not None and choice is not None:
            self.succeeded["call-next"] += 1
            self._hand_over(ticket.id, operator, window_id)
            streak = self.model.streak[operator]
            self.model.streak[operator] = next_priority_streak(streak, choice)

    def call_specific(self, operator: int, window_id: int, index: int) -> None:
        target = self.ticket_at(index)
        assert target is not None
        expected = self._calling_refusal(operator, window_id)
        if expected is None and target.status is not TicketStatus.WAITING:
            expected = "invalid_transition"
        principal = self.principals[operator]
        ticket = self.attempt(
            expected,
            lambda uow, now: calling.call_ticket(uow, principal, window_id, target.id, now),
        )
        if ticket is not None:
            assert ticket.id == target.id
            self.succeeded["call-specific"] += 1
            self._occupy(operator, window_id)
            self._hand_over(ticket.id, operator, window_id)

    def _act(self, operator: int, target: ModelTicket, action: Action, topic: str) -> None:
        expected: str | None = None
        if target.status in ACTIVE and target.operator != operator:
            expected = "forbidden"
        else:
            try:
                after = next_status(target.status, action)
            except TransitionRefused:
                expected = "invalid_transition"
        if expected is None and action is Action.TRANSFER and topic == "M":
            expected = "topic_not_issuable"
        if expected is None and action is Action.RECALL and target.recalls >= RECALL_LIMIT:
            expected = "recall_limit_reached"
        details = serving.Details(topic_id=self.topic_ids[topic])
        principal = self.principals[operator]
        ticket = self.attempt(
            expected,
            lambda uow, now: serving.act(uow, principal, target.id, action, now, details),
        )
        if ticket is None:
            return
        self.succeeded[action.value] += 1
        assert ticket.status == after.value
        target.status = after
        if after is TicketStatus.WAITING:
            target.operator, target.window = None, None
        if action is Action.TRANSFER:
            target.topic = topic
        if action is Action.RECALL:
            target.recalls += 1

    def operator_turn(self, operator: int, window: int | None, choice: int, topic: str) -> None:
        """The operator's natural next move: call (next, or one out of turn), or act on the held
        ticket with an action its state allows."""
        held = self.model.held_by(operator)
        self.succeeded["(turn)"] += 1
        if held is None:
            window_id = self.window_ids[operator if window is None else window]
            if choice >= 9 and self.model.tickets:
                self.call_specific(operator, window_id, choice)
            else:
                self.call_next(operator, window_id)
            return
        allowed = [a for a in allowed_actions(held.status) if a is not Action.EXPIRE]
        self._act(operator, held, allowed[choice % len(allowed)], topic)

    def act_on_any(self, operator: int, index: int, action: Action, topic: str) -> None:
        """Any action on any ticket: mostly refusals, which must change nothing."""
        target = self.ticket_at(index)
        assert target is not None
        self._act(operator, target, action, topic)

    def presence(self, operator: int, mood: int) -> None:
        """Resume (half the moods), pause (a quarter) or leave the window (a quarter)."""
        mood %= 4
        principal = self.principals[operator]
        busy = "operator_busy" if self.model.held_by(operator) else None
        if mood not in (2, 3):
            self.attempt(None, lambda uow, now: operators.resume(uow, principal, now))
            self.model.paused.discard(operator)
        elif mood == 2:
            done = self.attempt(
                busy, lambda uow, now: operators.pause(uow, principal, "lunch", now)
            )
            if done is not None:
                self.succeeded["pause"] += 1
                self.model.paused.add(operator)
        else:
            self.attempt(busy, lambda uow, now: operators.leave_windows(uow, principal, now))
            if busy is None:
                self.succeeded["leave"] += 1
                for window_id, holder in self.model.window_holder.items():
                    if holder == operator:
                        self.model.window_holder[window_id] = None

    # --- invariants ----------------------------------------------------------------------------

    async def _snapshot(self) -> tuple[Any, ...]:
        async with self.database.reading() as session:
            tickets = (await session.execute(select(Ticket.__table__).order_by(Ticket.id))).all()
            windows = (await session.execute(select(Window.__table__).order_by(Window.id))).all()
            users = (await session.execute(select(User.__table__).order_by(User.id))).all()
            counters = (await session.execute(select(NumberCounter.__table__))).all()
            events = (await session.execute(select(func.count()).select_from(Event))).scalar()
        return tickets, windows, users, counters, events

    async def _state(self) -> tuple[list[Any], dict[int, int | None], list[Any], list[Any]]:
        async with self.database.reading() as session:
            tickets = (await session.execute(select(Ticket.__table__).order_by(Ticket.id))).all()
            windows = dict((await session.execute(select(Window.id, Window.operator_id))).all())
            users = (await session.execute(select(User.id, User.paused_reason))).all()
            events = (
                await session.execute(
                    select(Event.seq, Event.type, Event.ticket_id, Event.to_status)
                    .where(Event.office_id == self.office_id)
                    .order_by(Event.seq)
                )
            ).all()
        return list(tickets), windows, list(users), list(events)

    @invariant()
    def the_database_keeps_the_rules(self) -> None:
        if not self.principals:
            return
        tickets, windows, users, events = self.run(self._state())
        user_index = {p.user_id: i for i, p in enumerate(self.principals)}
        active = [t for t in tickets if t.status in ACTIVE]
        for ticket in active:
            assert ticket.window_id is not None and ticket.operator_id is not None
            assert windows[ticket.window_id] == ticket.operator_id, "held at a window not theirs"
        for ticket in tickets:
            if ticket.status == TicketStatus.WAITING.value:
                assert (ticket.window_id, ticket.operator_id) == (None, None), (
                    "a queued ticket held"
                )
        per_window = Counter(t.window_id for t in active)
        per_operator = Counter(t.operator_id for t in active)
        assert max(per_window.values(), default=0) <= 1, "a window holds two tickets"
        assert max(per_operator.values(), default=0) <= 1, "an operator holds two tickets"

        statuses = Counter(t.status for t in tickets)
        assert sum(statuses.values()) == len(self.model.tickets), "counts do not balance"
        assert set(statuses) <= {s.value for s in TicketStatus}
        numbers = [t.number for t in tickets]
        assert len(numbers) == len(set(numbers)), "a number was issued twice"
        for ticket in tickets:
            assert ticket.number == format_number(ticket.prefix, ticket.sequence)
            model = self.model.tickets[ticket.id]
            assert ticket.status == model.status.value, f"ticket {ticket.id} is {ticket.status}"
            assert ticket.topic_id == self.topic_ids[model.topic]
            if model.status in ACTIVE:
                assert user_index[ticket.operator_id] == model.operator
                assert ticket.window_id == model.window
        assert {w: user_index.get(h) for w, h in windows.items()} == self.model.window_holder
        paused = {user_index[u] for u, reason in users if reason is not None and u in user_index}
        assert paused == self.model.paused

        assert [e.seq for e in events] == list(range(1, len(events) + 1)), "seq has gaps"
        issued = sum(1 for e in events if e.type == "ticket.issued")
        assert issued == len(tickets) == sum(statuses.values())
        last_state = {e.ticket_id: e.to_status for e in events if e.ticket_id is not None}
        assert last_state == {t.id: t.status for t in tickets}, "the event log disagrees"


def test_lifecycle_invariants(sqlite_templates: SqliteTemplates, tmp_path: Path) -> None:
    LifecycleMachine.templates = sqlite_templates
    LifecycleMachine.directory = tmp_path
    LifecycleMachine.passwords = Passwords(support.test_settings("sqlite:///unused"))
    LifecycleMachine.succeeded = Counter()
    run_state_machine_as_test(
        LifecycleMachine,
        settings=settings(
            max_examples=30,
            stateful_step_count=30,
            deadline=None,
            # The same mornings on every run: with random ones, a rare move (a pause, leaving
            # the window) went unreached now and then, and CI went red on luck. Set
            # QUEUE_EXPLORE=1 to explore new mornings (the coverage check may then miss).
            derandomize=not os.environ.get("QUEUE_EXPLORE"),
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
    reached = LifecycleMachine.succeeded
    print(f"successful actions over all examples: {dict(reached)}")
    expected = {"issue", "call-next", "call-specific", "pause", "leave"} | {
        a.value for a in ACTIONS
    }
    assert expected <= set(reached), f"never reached: {expected - set(reached)}"


pytestmark = pytest.mark.slow

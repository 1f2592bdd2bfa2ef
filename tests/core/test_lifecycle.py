"""Ticket states and the transitions between them, exhaustively."""

from __future__ import annotations

import pytest

from queue_server.core.lifecycle import (
    ACTIVE_STATES,
    FINAL_STATES,
    Action,
    TicketStatus,
    TransitionRefused,
    allowed_actions,
    next_status,
    ticket_actions,
)

W, C, S = TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SERVING
DONE, NO_SHOW, EXPIRED = TicketStatus.DONE, TicketStatus.NO_SHOW, TicketStatus.EXPIRED

# The contract's lifecycle, written out independently of the module's table.
EXPECTED = {
    (W, Action.CALL): C,
    (C, Action.RECALL): C,
    (C, Action.START): S,
    (S, Action.FINISH): DONE,
    (C, Action.NO_SHOW): NO_SHOW,
    (C, Action.RETURN): W,
    (S, Action.RETURN): W,
    (C, Action.TRANSFER): W,
    (S, Action.TRANSFER): W,
    (W, Action.EXPIRE): EXPIRED,
}

EVERY_PAIR = [(status, action) for status in TicketStatus for action in Action]


@pytest.mark.parametrize(("status", "action"), EVERY_PAIR)
def test_every_state_and_action(status: TicketStatus, action: Action) -> None:
    if (status, action) in EXPECTED:
        assert next_status(status, action) is EXPECTED[(status, action)]
    else:
        with pytest.raises(TransitionRefused) as refused:
            next_status(status, action)
        assert refused.value.status is status
        assert refused.value.action is action
        assert status.value in str(refused.value)


@pytest.mark.parametrize("status", list(TicketStatus))
def test_allowed_actions_are_exactly_those_that_succeed(status: TicketStatus) -> None:
    expected = [action for action in Action if (status, action) in EXPECTED]
    assert allowed_actions(status) == expected


@pytest.mark.parametrize("status", list(TicketStatus))
def test_staff_are_offered_every_transition_but_the_housekeepers(status: TicketStatus) -> None:
    expected = [a for a in Action if (status, a) in EXPECTED and a is not Action.EXPIRE]
    assert ticket_actions(status) == expected


def test_no_recall_is_offered_at_the_recall_limit() -> None:
    called = [Action.RECALL, Action.START, Action.NO_SHOW, Action.RETURN, Action.TRANSFER]
    assert ticket_actions(C, recall_count=1, recall_limit=2) == called
    assert ticket_actions(C, recall_count=2, recall_limit=2) == called[1:]
    assert ticket_actions(C, recall_count=0, recall_limit=0) == called[1:]
    assert ticket_actions(C, recall_count=9) == called  # a limit not known: the server decides


@pytest.mark.parametrize("status", sorted(FINAL_STATES))
def test_final_states_allow_nothing(status: TicketStatus) -> None:
    assert allowed_actions(status) == []


def test_active_states_are_the_ones_an_operator_holds() -> None:
    assert {C, S} == ACTIVE_STATES
    assert not ACTIVE_STATES & FINAL_STATES
    assert W not in ACTIVE_STATES | FINAL_STATES


def test_wire_values_match_the_contract() -> None:
    assert [s.value for s in TicketStatus] == [
        "waiting",
        "called",
        "serving",
        "done",
        "no_show",
        "expired",
    ]
    assert Action.NO_SHOW.value == "no-show"  # the URL segment /tickets/{id}/no-show

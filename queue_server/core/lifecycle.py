"""Ticket states and the transitions between them."""

from __future__ import annotations

from enum import StrEnum


class TicketStatus(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    DONE = "done"
    NO_SHOW = "no_show"
    EXPIRED = "expired"


class Action(StrEnum):
    CALL = "call"
    RECALL = "recall"
    START = "start"
    FINISH = "finish"
    NO_SHOW = "no-show"
    RETURN = "return"
    TRANSFER = "transfer"
    EXPIRE = "expire"


W, C, S = TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SERVING

# action -> (states it may start from, state it leads to)
TRANSITIONS: dict[Action, tuple[frozenset[TicketStatus], TicketStatus]] = {
    Action.CALL: (frozenset({W}), C),
    Action.RECALL: (frozenset({C}), C),
    Action.START: (frozenset({C}), S),
    Action.FINISH: (frozenset({S}), TicketStatus.DONE),
    Action.NO_SHOW: (frozenset({C}), TicketStatus.NO_SHOW),
    Action.RETURN: (frozenset({C, S}), W),
    Action.TRANSFER: (frozenset({C, S}), W),
    Action.EXPIRE: (frozenset({W}), TicketStatus.EXPIRED),
}

ACTIVE_STATES = frozenset({C, S})
# Waiting or at a window: the ticket's number is on a screen or in a visitor's hand.
LIVE_STATES = frozenset({W, C, S})
FINAL_STATES = frozenset({TicketStatus.DONE, TicketStatus.NO_SHOW, TicketStatus.EXPIRED})


class TransitionRefused(Exception):
    """The ticket's state does not allow the action."""

    def __init__(self, action: Action, status: TicketStatus) -> None:
        super().__init__(f"cannot {action.value} a ticket that is {status.value}")
        self.action = action
        self.status = status


def next_status(status: TicketStatus, action: Action) -> TicketStatus:
    """The state a ticket moves to under `action`, or TransitionRefused."""
    allowed_from, target = TRANSITIONS[action]
    if status not in allowed_from:
        raise TransitionRefused(action, status)
    return target


def allowed_actions(status: TicketStatus) -> list[Action]:
    """Actions an operator may take on a ticket in this state (for enabling buttons)."""
    return [action for action, (sources, _) in TRANSITIONS.items() if status in sources]


# Only the housekeeper expires a ticket (at the end of its day); no answer offers it to staff.
SYSTEM_ACTIONS = frozenset({Action.EXPIRE})


def may_recall(recall_count: int, recall_limit: int) -> bool:
    """Whether the office's recall limit leaves another recall of a called ticket."""
    return recall_count < recall_limit


def ticket_actions(
    status: TicketStatus, recall_count: int = 0, recall_limit: int | None = None
) -> list[Action]:
    """What staff may do to a ticket in this state, for answers that enable buttons: the
    transitions less the housekeeper's, and no recall past the limit when the limit is known."""
    offered = [action for action in allowed_actions(status) if action not in SYSTEM_ACTIONS]
    if recall_limit is not None and not may_recall(recall_count, recall_limit):
        offered = [action for action in offered if action is not Action.RECALL]
    return offered

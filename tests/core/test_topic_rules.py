"""The topic tree's rules: what the kiosk offers, where a topic may hang, who shares a prefix."""

from __future__ import annotations

from queue_server.core.topic_rules import Node, makes_cycle, offered, prefix_holder

# A and B at the root; the paid-services menu P with its sub-topics P1, P2 (prefix P) and, under
# P1, a deeper leaf D.
TREE = [
    Node(1, None, "A", True),
    Node(2, None, "B", True),
    Node(3, None, "P", True),
    Node(4, 3, "P", True),
    Node(5, 3, "P", True),
    Node(6, 4, "D", True),
]
PARENTS = {node.id: node.parent_id for node in TREE}


def retire(*ids: int) -> list[Node]:
    return [Node(n.id, n.parent_id, n.prefix, n.active and n.id not in ids) for n in TREE]


def test_a_retired_menu_takes_everything_under_it_out_of_the_menu() -> None:
    assert offered(TREE) == {1, 2, 3, 4, 5, 6}
    assert offered(retire(2)) == {1, 3, 4, 5, 6}
    assert offered(retire(3)) == {1, 2}
    assert offered(retire(4)) == {1, 2, 3, 5}


def test_a_topic_cannot_hang_under_itself_or_below_itself() -> None:
    assert makes_cycle(PARENTS, 3, 3)
    assert makes_cycle(PARENTS, 3, 4) and makes_cycle(PARENTS, 3, 6)
    assert not makes_cycle(PARENTS, 6, 3) and not makes_cycle(PARENTS, 1, 3)
    assert not makes_cycle(PARENTS, 3, None)
    looped = {1: 2, 2: 1}  # bad stored data must not hang the check
    assert makes_cycle(looped, 1, 2) and not makes_cycle(looped, 3, 1)


def test_a_prefix_is_shared_only_within_one_menu_and_with_retired_topics() -> None:
    assert prefix_holder(TREE, Node(1, None, "B", True)) == TREE[1]
    assert prefix_holder(TREE, Node(1, None, "P", True)) == TREE[2]
    assert prefix_holder(TREE, Node(5, 3, "P", True)) is None  # a sibling and the menu itself
    assert prefix_holder(TREE, Node(3, None, "P", True)) is None  # the menu and its children
    assert prefix_holder(TREE, Node(6, 4, "P", True)) == TREE[2]  # P1's child: another menu
    assert prefix_holder(retire(2), Node(1, None, "B", True)) is None
    assert prefix_holder(TREE, Node(1, None, "A", True)) is None  # its own prefix

"""The built-in catalogue: the two centres, the Company representative and a tree per office."""

from __future__ import annotations

import copy
from typing import Any

from queue_server.clock import FrozenClock
from queue_server.db.engine import Database
from queue_server.services import seeding
from tests.api.contract import moscow, sql
from tests.support import DEFAULT_NOW, Api, LiveServer, on_database

REPRESENTATIVE = "Представитель Компании, Липецк, пр. Победы, 87а"
CENTRES = ("ЦОК Липецк, пр. Победы, 87а", "ЦОК Липецк, пр. Победы, 29")
WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PAID_SERVICES = {
    "Электромонтажные работы",
    "Проведение энергоаудита",
    "Дополнительное оборудование",
}


def seed(database_url: str, data: dict[str, Any]) -> dict[str, int]:
    async def work(database: Database) -> dict[str, int]:
        async with database.unit_of_work() as uow:
            return await seeding.seed(uow, data, DEFAULT_NOW)

    return on_database(database_url, work)


def old_catalogue() -> dict[str, Any]:
    """The catalogue as it was before offices named their trees: the two centres, one tree."""
    data = copy.deepcopy(seeding.builtin_catalogue())
    data["offices"] = [office for office in data["offices"] if "tree" not in office]
    del data["trees"]
    return data


def everything(database_url: str) -> dict[str, list[Any]]:
    return {
        table: [tuple(row) for row in sql(database_url, f"SELECT * FROM {table} ORDER BY id")]
        for table in ("offices", "windows", "topics")
    }


def menu(api: Api, office_id: int, lang: str) -> list[tuple[str, str, list[Any]]]:
    """The kiosk's topic menu: (prefix, name, children) all the way down."""

    def walk(nodes: list[dict[str, Any]]) -> list[tuple[str, str, list[Any]]]:
        return [(n["prefix"], n["name"], walk(n["children"])) for n in nodes]

    path = f"/api/v1/offices/{office_id}/topics"
    return walk(api.ok(api.get(path, params={"lang": lang})))


def expected_menu(nodes: list[dict[str, Any]], lang: str) -> list[tuple[str, str, list[Any]]]:
    return [
        (n["prefix"], n["name"][lang], expected_menu(n.get("children", []), lang)) for n in nodes
    ]


def test_the_representative_has_its_own_free_tree_and_works_8_to_17(
    server: LiveServer, admin: Api, anonymous: Api, clock: FrozenClock
) -> None:
    data = seeding.builtin_catalogue()
    assert seed(server.settings.database_url, data) == {"offices": 3, "windows": 12, "topics": 34}
    offices = {o["name"]: o for o in anonymous.ok(anonymous.get("/api/v1/offices"))}
    assert set(offices) == {REPRESENTATIVE, *CENTRES}
    desk = offices[REPRESENTATIVE]
    assert desk["address"] == "г. Липецк, пр. Победы, 87а"
    assert desk["hours"] == {day: [["08:00", "17:00"]] for day in WEEK}
    assert desk["open_now"]

    russian = menu(anonymous, desk["id"], "ru")
    assert [(prefix, name) for prefix, name, _ in russian] == [
        ("A", "Заключение и сопровождение договора"),
        ("B", "Исполнение договора"),
        ("C", "Контроль и оценка качества обслуживания"),
        ("D", "Бесплатные сопутствующие товары и услуги"),
    ]
    assert all(children == [] for _, _, children in russian), "no menu: nothing paid to choose"
    assert menu(anonymous, desk["id"], "en")[3][1] == "Free related goods and services"
    for centre in CENTRES:  # the centres keep the standard's tree, paid services and all
        for lang in ("ru", "en"):
            tree = menu(anonymous, offices[centre]["id"], lang)
            assert tree == expected_menu(data["topics"], lang)
        assert tree[4][1] == "Paid related goods and services" and len(tree[4][2]) == 10

    leaves = admin.ok(admin.get(f"/api/v1/offices/{desk['id']}/topics/operations"))
    operations = {leaf["name"]["ru"]: [op["ru"] for op in leaf["operations"]] for leaf in leaves}
    free = operations["Бесплатные сопутствующие товары и услуги"]
    assert "Получить товар или услугу" in free
    assert "Подать заявку на опломбировку индивидуального прибора учёта (ИПУ)" in free
    named = set(operations) | {op for ops in operations.values() for op in ops}
    assert not PAID_SERVICES & named
    windows = sql(
        server.settings.database_url,
        "SELECT number FROM windows WHERE office_id = :office ORDER BY number",
        office=desk["id"],
    )
    assert [w.number for w in windows] == [1, 2]

    clock.set(moscow(2026, 11, 28, 17, 30))  # a Saturday evening: the centres are still open
    offices = {o["name"]: o for o in anonymous.ok(anonymous.get("/api/v1/offices"))}
    assert not offices[REPRESENTATIVE]["open_now"]
    assert all(offices[centre]["open_now"] for centre in CENTRES)
    clock.set(moscow(2026, 11, 29, 8, 0))  # Sunday morning
    assert anonymous.ok(anonymous.get(f"/api/v1/offices/{desk['id']}"))["open_now"]


def test_seeding_a_database_of_the_old_catalogue_adds_the_representative_only(
    database_url: str,
) -> None:
    assert seed(database_url, old_catalogue()) == {"offices": 2, "windows": 10, "topics": 30}
    before = everything(database_url)

    assert seed(database_url, seeding.builtin_catalogue()) == {
        "offices": 1,
        "windows": 2,
        "topics": 4,
    }
    after = everything(database_url)
    for table, rows in before.items():
        assert after[table][: len(rows)] == rows, f"{table}: an existing row changed"
    representative = [row for row in after["offices"] if REPRESENTATIVE in row]
    assert len(representative) == 1 and after["offices"][-1] == representative[0]

    assert seed(database_url, seeding.builtin_catalogue()) == {
        "offices": 0,
        "windows": 0,
        "topics": 0,
    }
    assert everything(database_url) == after

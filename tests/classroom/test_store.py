"""The class database, the same on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import threading

import pytest

from chaosgame.classroom.store import Player, Round, Store, StoreError, open_store


def _round(code: str = "ABCD-EFGH") -> Round:
    return Round(code, "class", "t", "id: x\n", 7, "hash", "open", 1.0)


def test_rounds_players_and_journals(store: Store) -> None:
    assert store.create_round(_round())
    assert not store.create_round(_round())  # the code is taken
    r = store.round("ABCD-EFGH")
    assert r is not None
    assert (r.seed, r.state, r.scenario) == (7, "open", "id: x\n")
    store.set_state("ABCD-EFGH", "paused")
    assert store.round("ABCD-EFGH").state == "paused"  # type: ignore[union-attr]
    assert store.round("NOPE") is None

    assert store.add_player(Player("ABCD-EFGH", "ada", "h1", 2.0))
    assert not store.add_player(Player("ABCD-EFGH", "ada", "h2", 3.0))
    assert store.add_player(Player("ABCD-EFGH", "bob", "h3", 3.0))
    assert [p.name for p in store.players("ABCD-EFGH")] == ["ada", "bob"]

    assert store.append("ABCD-EFGH", "ada", 1, {"op": "observe"}, 4.0)
    assert store.append("ABCD-EFGH", "ada", 2, {"op": "wait", "seconds": 60}, 5.0)
    assert not store.append("ABCD-EFGH", "ada", 2, {"op": "end"}, 6.0)  # written first by another
    assert [e.entry for e in store.journal("ABCD-EFGH", "ada")] == [
        {"op": "observe"},
        {"op": "wait", "seconds": 60},
    ]
    assert [e.seq for e in store.journal("ABCD-EFGH", "ada", after=1)] == [2]
    assert store.journal("ABCD-EFGH", "bob") == []

    assert store.log("ABCD-EFGH", "hint", {"text": "look at payments"}, 7.0) == 1
    assert store.log("ABCD-EFGH", "pause", {}, 8.0) == 2
    assert [(s, k) for s, k, _, _ in store.round_log("ABCD-EFGH")] == [(1, "hint"), (2, "pause")]


def test_reopening_finds_everything(store_url: str) -> None:
    first = open_store(store_url)
    first.create_round(_round())
    first.add_player(Player("ABCD-EFGH", "ada", "h", 1.0))
    first.append("ABCD-EFGH", "ada", 1, {"op": "observe"}, 1.0)
    first.close()
    again = open_store(store_url)
    try:
        assert again.round("ABCD-EFGH") is not None
        assert len(again.journal("ABCD-EFGH", "ada")) == 1
    finally:
        again.close()


def test_writers_racing_for_a_line_one_wins(store_url: str) -> None:
    """Two server processes behind one database: each journal line is written once."""
    stores = [open_store(store_url) for _ in range(4)]
    stores[0].create_round(_round())
    wins: list[int] = []

    def write(i: int) -> None:
        for seq in range(1, 21):
            if stores[i].append("ABCD-EFGH", "ada", seq, {"by": i}, float(seq)):
                wins.append(seq)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(wins) == list(range(1, 21))
    assert [e.seq for e in stores[0].journal("ABCD-EFGH", "ada")] == list(range(1, 21))
    for s in stores:
        s.close()


def test_bad_urls_say_what_is_wrong(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(StoreError, match="file path or a postgresql"):
        open_store("mysql://x/y")
    with pytest.raises(StoreError, match="cannot reach"):
        open_store("postgresql://nobody:secret@127.0.0.1:1/none")
    with pytest.raises(StoreError) as err:
        open_store("postgresql://nobody:secret@127.0.0.1:1/none")
    assert "secret" not in str(err.value)
    (tmp_path / "f").write_text("x")
    with pytest.raises(StoreError, match="cannot open"):
        open_store(tmp_path / "f" / "class.db")

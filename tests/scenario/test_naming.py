"""``validate`` warns about an id or title that names the cause (chaosgame.scenario.naming)."""

from __future__ import annotations

from pathlib import Path

import pytest

from chaosgame.cli import main
from chaosgame.scenario.faults import FAULT_KINDS
from chaosgame.scenario.loader import validate_file, validate_report
from chaosgame.scenario.naming import CAUSE_WORDS, giveaways_in, words
from tests.scenario.new_scenario import line_of, write


@pytest.mark.parametrize(
    ("text", "component", "said"),
    [
        ("shop-retry-storms", "payments", "retry storms"),
        ("profile-oom-restart", "profile-api", "oom"),
        ("avatars-oomkilled-after-upgrade", None, "oomkilled"),
        ("news-edge-leak", None, "leak"),
        ("A memory leak in the cart", None, "memory leak"),
        ("bank-mtls-cert-expired", None, "cert expired"),
        ("Certificate expired on the ledger", None, "certificate expired"),
        ("The ledger TLS handshake", None, "tls"),
        ("homes-cache-stampede", None, "cache stampede"),
        ("seats-split-brain", None, "split brain"),
        ("basket-alter-table-lock", None, "alter table"),
        ("Feed CPU throttling", None, "cpu throttling"),
        ("history-plan-flip", None, "plan flip"),
        ("search-false-alarm", None, "false alarm"),
        ("Retry storms at the edge", None, "retry storms"),
        ("cart-version-skew", None, "version skew"),
    ],
)
def test_a_fault_kind_or_its_everyday_name_is_a_giveaway(
    text: str, component: str | None, said: str
) -> None:
    found = giveaways_in("id", text, component)
    assert any(" ".join(g.found) == said and "fault kind" in g.why for g in found), found


@pytest.mark.parametrize(
    ("text", "component", "said"),
    [
        ("search-flag-ranking", "search", "search flag"),
        ("Orders hang after the orders-db lock", "orders-db", "orders db lock"),
        ("Order history hangs right after a release", "orders-db", "order release"),
        ("payouts-mesh-selector", "mesh-control", "mesh selector"),
    ],
)
def test_the_root_cause_component_beside_a_kind_word_is_a_giveaway(
    text: str, component: str, said: str
) -> None:
    found = giveaways_in("title", text, component)
    assert any(" ".join(g.found) == said and "root-cause component" in g.why for g in found), found


@pytest.mark.parametrize(
    ("text", "component"),
    [
        ("checkout-errors-after-lunch", "payments"),
        ("Orders latency climbing", "orders-db"),
        ("Checkout is failing at the payment step", "payments"),
        ("Bookings fail, and nothing was released today", "booking-api"),
        ("Add-to-cart fails minutes after a cart release", "inventory"),  # not the culprit
        ("Sign-in takes forever on a quiet Sunday", "auth"),
        ("The feed is slow, and it uses a fraction of a core", "feed"),
        ("Flagship store pages are slow", "catalog"),  # a kind word inside a longer word
        ("Search is slow", "search"),  # the component alone, with a symptom
        ("Every storefront pod goes unready at once", "catalog-db"),
    ],
)
def test_a_name_by_symptom_or_service_is_no_giveaway(text: str, component: str) -> None:
    assert giveaways_in("title", text, component) == []


def test_the_table_names_catalogue_kinds_only() -> None:
    assert set(CAUSE_WORDS) <= {*FAULT_KINDS, "no-fault"}
    for phrases in CAUSE_WORDS.values():
        assert all(words(p) for p in phrases)


def test_validate_warns_with_the_file_the_field_and_the_words(tmp_path: Path) -> None:
    path = write(tmp_path, "shop-memory-leak", "A cache stampede at noon")
    problems, warnings = validate_report(path)
    assert problems == []
    assert [w.message.split(":")[0] for w in warnings] == [
        "warning",
        "warning",
    ]
    by_field = {w.message.split(" names")[0].removeprefix("warning: the "): w for w in warnings}
    assert set(by_field) == {"id", "title"}
    text = path.read_text(encoding="utf-8").splitlines()
    for field, w in by_field.items():
        assert w.path == str(path)
        assert text[w.line - 1].startswith(f"{field}:")
        assert "symptom or its service" in w.message
    assert "'memory leak' (the fault kind memory-leak)" in by_field["id"].message
    assert "'cache stampede' (the fault kind cache-stampede)" in by_field["title"].message
    assert validate_file(path) == []  # a warning is not an error


def test_the_validate_command_prints_warnings_and_still_passes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = write(tmp_path, "shop-oomkilled", "Shop pages fail")
    good = write(tmp_path, "shop-pages-fail", "Shop pages fail")
    assert main(["validate", str(bad), str(good)]) == 0
    out, err = capsys.readouterr()
    assert f"{bad}: ok (1 warning)" in out
    assert f"{good}: ok\n" in out
    line = line_of(bad, "id:")
    assert f"{bad}:{line}:" in err
    assert "'oomkilled'" in err
    assert str(good) not in err

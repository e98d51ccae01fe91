"""The built-in strategy players: each plays as described, deterministically, and honestly.

Honest means through the player view alone: a scan of the source shows the cheap players
never name the truth, the session or the simulation, and a game whose hidden truth is
swapped for a decoy is played with exactly the same actions.
"""

from __future__ import annotations

import ast
import inspect
from typing import Any

import pytest

from chaosgame.game import answer_key, baselines, heuristic, strategies, strategy_view
from chaosgame.game.player import PlayerView
from chaosgame.game.strategies import (
    STRATEGIES,
    Run,
    ladder,
    latest_change,
    play_strategy,
    run_strategy,
)
from chaosgame.game.strategy_view import kind_from_alert, named_in_page, parse_change
from chaosgame.scenario import library
from chaosgame.scenario.model import ConfigChange, RootCause, Scenario, Truth

NAMES = [
    "nothing",
    "random",
    "undo-latest",
    "loudest-alert",
    "plausible-shotgun",
    "read-the-id",
    "heuristic",
    "reference",
]


@pytest.fixture(scope="module")
def storm() -> Scenario:
    """A bad payments deploy at 30m, then an innocent flag change at 33m (the latest)."""
    return library.load("checkout-payment-step-failing")


def _acts(run: Run | PlayerView, kind: str | None = None) -> list[dict[str, Any]]:
    view = run.view if isinstance(run, Run) else run
    acts = [a["action"] for a in view.actions]
    return [a for a in acts if kind is None or a["type"] == kind]


def _mitigations(run: Run) -> list[tuple[str, str]]:
    return [(a["action"], a["target"]) for a in _acts(run, "mitigate")]


def _declared(run: Run) -> dict[str, Any]:
    (declared,) = _acts(run, "declare")
    return {k: declared[k] for k in ("component", "kind", "confidence")}


def _page_changes(sc: Scenario) -> list[dict[str, Any]]:
    """The change history rows the player sees at the page (read here by the test itself)."""
    view = PlayerView(sc)
    view.start()
    rows = view.act({"type": "query", "view": "deploys", "window": 86400})["result"]["events"]
    return [r for r in rows if r["kind"] in ("deploy", "flag", "config") and " by " in r["message"]]


# ------------------------------------------------------------------------ registry
def test_the_registry_names_every_strategy() -> None:
    assert list(STRATEGIES) == NAMES
    assert [n for n, s in STRATEGIES.items() if not s.honest] == ["reference"]


@pytest.mark.parametrize(
    "call",
    [
        lambda sc: run_strategy("undo-lastest", sc),
        lambda sc: play_strategy("undo-lastest", sc),
        lambda sc: ladder(sc, names=["nothing", "undo-lastest"]),
    ],
    ids=["run", "play", "ladder"],
)
def test_an_unknown_strategy_is_a_clear_error(storm: Scenario, call: Any) -> None:
    with pytest.raises(ValueError, match="unknown strategy 'undo-lastest'") as err:
        call(storm)
    assert "did you mean 'undo-latest'?" in str(err.value)
    assert "known strategies: nothing, random, undo-latest" in str(err.value)


# ---------------------------------------------------------------------- behaviours
def test_nothing_ends_at_once(storm: Scenario) -> None:
    view = play_strategy("nothing", storm)
    assert view.ended
    assert _acts(view) == [{"type": "end"}]


def test_undo_latest_flips_back_the_latest_change_a_flag(storm: Scenario) -> None:
    latest = _page_changes(storm)[-1]
    assert latest["kind"] == "flag"
    assert latest["message"].startswith("new-recommendations on")
    run = run_strategy("undo-latest", storm)
    assert _acts(run)[0] == {
        "type": "query",
        "view": "deploys",
        "q": None,
        "component": None,
        "metric": None,
        "window": 86400.0,
    }
    (undo,) = _acts(run, "mitigate")
    assert undo == {
        "type": "mitigate",
        "action": "toggle-flag",
        "target": "new-recommendations",
        "on": False,
    }
    assert _acts(run, "wait") == [{"type": "wait", "until": "next"}]
    assert _declared(run) == {"component": "web", "kind": "broken-flag", "confidence": 0.9}
    assert _acts(run)[-1] == {"type": "end"}
    assert run.skipped == []


def test_undo_latest_rolls_back_the_latest_deploy(storm: Scenario) -> None:
    sc = storm.model_copy(update={"flags": []})
    latest = _page_changes(sc)[-1]
    assert (latest["kind"], latest["component"]) == ("deploy", "payments")
    run = run_strategy("undo-latest", sc)
    assert _mitigations(run) == [("rollback", "payments")]
    assert _declared(run) == {"component": "payments", "kind": "bad-deploy", "confidence": 0.9}


def test_undo_latest_reverts_the_latest_config_key(storm: Scenario) -> None:
    cfg = ConfigChange(at=2100.0, component="checkout", key="timeout_ms", value="900")
    sc = storm.model_copy(update={"configs": [*storm.configs, cfg]})
    run = run_strategy("undo-latest", sc)
    (undo,) = _acts(run, "mitigate")
    assert undo["action"] == "revert-config"
    assert (undo["target"], undo["key"]) == ("checkout", "timeout_ms")
    assert _declared(run)["kind"] == "bad-config"


def test_latest_change_is_what_the_player_sees_at_the_page(storm: Scenario) -> None:
    view = PlayerView(storm)
    change = latest_change(view)  # starts the game itself
    assert change is not None
    assert (change.kind, change.subject, change.component) == ("flag", "new-recommendations", "web")
    assert change.time <= view.started_at
    assert latest_change(PlayerView(storm.model_copy(update={"flags": [], "deploys": []}))) is None


def test_change_rows_are_read_as_the_history_writes_them() -> None:
    flag = parse_change(
        {"time": 5.0, "kind": "flag", "component": "a,b", "message": "x-y off by ops"}
    )
    assert flag is not None
    assert (flag.subject, flag.on, flag.components) == (
        "x-y",
        False,
        ("a", "b"),
    )
    assert flag.undo()["on"] is True
    cfg = parse_change(
        {"time": 5.0, "kind": "config", "component": "p", "message": "pool:db=1 by terraform"}
    )
    assert cfg is not None
    assert cfg.subject == "pool:db"
    stalled = {"time": 9.0, "kind": "deploy", "component": "c", "message": "rollout stalled: x"}
    assert parse_change(stalled) is None
    assert parse_change({"time": 1.0, "kind": "job", "component": "c", "message": "j by c"}) is None


def test_loudest_alert_restarts_the_first_alert_to_fire(storm: Scenario) -> None:
    view = PlayerView(storm)
    view.start()
    firing = view.act({"type": "query", "q": "alerts"})["result"]["firing"]
    named = [a for a in firing if "service" in a["labels"] and a["severity"] == "warning"]
    first = min(named, key=lambda a: a["start"])
    run = run_strategy("loudest-alert", storm)
    assert _acts(run)[0]["q"] == "alerts"
    assert _mitigations(run) == [("restart", first["labels"]["service"])]
    assert _acts(run, "wait") == [{"type": "wait", "until": "next"}]
    assert _declared(run) == {
        "component": first["labels"]["service"],
        "kind": kind_from_alert(first),
        "confidence": 0.9,
    }


def test_loudest_alert_falls_back_on_the_page_when_no_alert_names_a_component() -> None:
    sc = library.load("search-cpu-high-at-night")
    run = run_strategy("loudest-alert", sc)
    assert _mitigations(run) == [("restart", "search-api")]
    assert _declared(run)["kind"] == "cpu-throttling"  # "HighCPU ... CPU above 80 %"


@pytest.mark.parametrize(
    ("name", "summary", "kind"),
    [
        ("MemoryNearLimit", "profile memory at 95% of its limit", "memory-leak"),
        ("HighLatencyP99", "checkout p99 latency is 13.82s", "latency-regression"),
        ("HighErrorRate", "payments is failing 62.1% of requests", "bad-deploy"),
        ("CPUThrottled", "feed is CPU-throttled (40% of the time)", "cpu-throttling"),
        ("Mystery", "something odd", "bad-deploy"),
    ],
)
def test_an_alerts_wording_suggests_a_kind(name: str, summary: str, kind: str) -> None:
    assert kind_from_alert({"name": name, "summary": summary}) == kind


def test_plausible_shotgun_tries_everything_suspect(storm: Scenario) -> None:
    view = PlayerView(storm)
    view.start()
    firing = view.act({"type": "query", "q": "alerts"})["result"]["firing"]
    alerting = {a["labels"]["service"] for a in firing if "service" in a["labels"]}
    fleet = view.act({"type": "query", "view": "map"})["result"]["components"]
    replicas = {c["name"]: c["replicas"] for c in fleet}
    run = run_strategy("plausible-shotgun", storm)
    done = _mitigations(run)
    restarted = {t for a, t in done if a == "restart"}
    assert restarted == alerting
    assert {t for a, t in done if a == "rollback"} == {"catalog", "payments"}
    assert ("toggle-flag", "new-recommendations") in done
    scaled = {a["target"]: a["replicas"] for a in _acts(run, "mitigate") if a["action"] == "scale"}
    assert scaled == {c: 2 * replicas[c] for c in alerting}  # twice what the map shows
    assert _acts(run)[-3] == {"type": "wait", "until": "next"}  # until it all took effect
    assert view.act({"type": "query", "view": "map"})["ok"]
    assert _declared(run)["component"] in alerting
    assert run.skipped == []


def test_read_the_id_declares_what_the_id_names(storm: Scenario) -> None:
    named = storm.model_copy(update={"id": "payments-retry-storm"})
    run = run_strategy("read-the-id", named)
    assert _mitigations(run) == [("toggle-flag", "new-recommendations")]  # the latest change
    assert _declared(run) == {"component": "payments", "kind": "retry-storm", "confidence": 0.9}


def test_read_the_id_falls_back_on_the_latest_change(storm: Scenario) -> None:
    """The curated id names a component by symptom, and no fault kind."""
    assert named_in_page({"id": storm.id, "title": storm.title}).kind is None
    run = run_strategy("read-the-id", storm)
    assert _mitigations(run) == [("toggle-flag", "new-recommendations")]
    assert _declared(run)["kind"] == "broken-flag"


@pytest.mark.parametrize(
    ("page", "kind", "component"),
    [
        (
            {"id": "cart-version-skew", "components": ["cart", "pricing"]},
            "version-skew",
            "cart",
        ),
        (
            {"id": "rentals-listings-cache-stampede", "components": ["listings", "listings-cache"]},
            "cache-stampede",
            "listings-cache",
        ),
        ({"id": "shop-is-down", "title": "Checkout hangs", "components": ["web"]}, None, None),
        ({"id": "x", "title": "The web is failing", "components": ["web", "api"]}, None, "web"),
    ],
)
def test_what_a_page_names(page: dict[str, Any], kind: str | None, component: str | None) -> None:
    named = named_in_page(page)
    assert (named.kind, named.component) == (kind, component)


def test_random_is_seeded_valid_and_ends(storm: Scenario) -> None:
    runs = [run_strategy("random", storm, seed) for seed in (7, 7, 8)]
    assert _acts(runs[0]) == _acts(runs[1])
    assert _acts(runs[0]) != _acts(runs[2])
    for run in runs:
        assert 1 <= len(_acts(run, "mitigate")) <= 3
        assert _declared(run)["component"] in [c.name for c in storm.components]
        assert _acts(run)[-1] == {"type": "end"}


def test_random_draws_from_its_named_stream(
    storm: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _acts(run_strategy("random", storm))
    monkeypatch.setattr(strategies, "RANDOM_STREAM", "strategy.random.other")
    assert _acts(run_strategy("random", storm)) != before


def test_reference_looks_at_the_evidence_then_fixes(storm: Scenario) -> None:
    run = run_strategy("reference", storm)
    acts = _acts(run)
    first_fix = next(i for i, a in enumerate(acts) if a["type"] == "mitigate")
    looked = " ".join(str(a) for a in acts[:first_fix] if a["type"] == "query")
    chain = {s.component for s in storm.truth.causal_chain} - {"payments"}
    assert "payments" in looked
    assert any(c in looked for c in chain)
    assert _mitigations(run) == [("rollback", "payments"), ("disable-retries", "checkout")]
    assert _declared(run) == {"component": "payments", "kind": "bad-deploy", "confidence": 0.9}
    assert acts[-1] == {"type": "end"}
    assert run.skipped == []


def test_reference_waits_on_the_true_state_between_stages() -> None:
    sc = library.load("product-pages-fail-at-morning-peak")
    run = run_strategy("reference", sc)
    assert run.skipped == []
    scaled = [a["replicas"] for a in _acts(run, "mitigate") if a["action"] == "scale"]
    assert scaled == [12, 8, 6]


def test_reference_with_no_fault_looks_at_the_alerting_component() -> None:
    sc = library.load("search-cpu-high-at-night")
    run = run_strategy("reference", sc)
    looked = [a for a in _acts(run, "query") if "search-api" in str(a)]
    assert looked
    assert _declared(run) == {"component": None, "kind": "no-fault", "confidence": 0.9}


# --------------------------------------------------------------------- determinism
def test_same_scenario_and_seed_same_actions_and_score(storm: Scenario) -> None:
    first, again = (run_strategy("plausible-shotgun", storm, 3) for _ in range(2))
    assert first.actions == again.actions
    assert first.score() == again.score()


def test_ladder_simulates_the_comparison_runs_once(
    storm: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    baselines.clear_memory()
    calls = []
    compute = baselines.compute
    monkeypatch.setattr(
        baselines,
        "compute",
        lambda *a: calls.append(a) or compute(*a),  # type: ignore[func-returns-value]
    )
    scores = ladder(storm, names=["nothing", "undo-latest", "loudest-alert"])
    assert list(scores) == ["nothing", "undo-latest", "loudest-alert"]
    assert len(calls) == 1
    assert scores["nothing"].total == 0.0
    assert scores["loudest-alert"] == run_strategy("loudest-alert", storm).score()


# ------------------------------------------------------------------------- honesty
FORBIDDEN = {
    "truth",
    "faults",
    "red_herrings",
    "root_cause",
    "causal_chain",
    "reference_solution",
    "scenario",
    "session",
    "sim",
    "Session",
    "Simulator",
    "_around",
    "reference_actions",
    "wait_until",
    "__session",
}
"""Names an honest player never touches: the hidden truth, the session, the simulation."""
ALLOWED_IMPORTS = {
    "chaosgame.engine.rng",
    "chaosgame.game.menu",
    "chaosgame.game.heuristic",
    "chaosgame.game.player",
    "chaosgame.game.strategy_view",
    "chaosgame.scenario.actions",
    "chaosgame.scenario.faults",
}
"""Where what an honest player uses may come from: the player view and public catalogues."""
STDLIB = {"__future__", "collections.abc", "dataclasses", "random", "re", "typing"}


def _touched(node: ast.AST) -> set[str]:
    out = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Name):
            out.add(n.id)
        elif isinstance(n, ast.Attribute):
            out.add(n.attr.removeprefix("_PlayerView"))
    return out


def _module(mod: Any) -> tuple[dict[str, ast.AST], dict[str, str]]:
    """A module's top-level definitions and where each imported name comes from."""
    tree = ast.parse(inspect.getsource(mod))
    defs: dict[str, ast.AST] = {}
    imported: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            imported |= {a.asname or a.name: node.module for a in node.names}
        elif isinstance(node, ast.Import):
            imported |= {(a.asname or a.name).split(".")[0]: a.name for a in node.names}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef):
            defs[node.name] = node
    return defs, imported


def _reached(name: str, mod: Any = strategies) -> tuple[set[str], set[str]]:
    """Every name function ``name`` of ``mod`` touches, following the module's own helpers
    (and all of ``strategy_view`` when it uses it, and of ``heuristic`` when it is the
    player's module); and the modules of the imported names."""
    if mod is strategies and name == "heuristic":
        return _reached(name, heuristic)
    defs, imported = _module(mod)
    seen, todo, touched = set(), [name], set()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        names = _touched(defs[current])
        touched |= names
        todo += [n for n in names if n in defs]
    modules = {imported[n] for n in touched if n in imported}
    view_defs, view_imported = _module(strategy_view)
    if "chaosgame.game.strategy_view" in modules:
        for node in view_defs.values():
            touched |= _touched(node)
        modules |= {view_imported[n] for n in touched if n in view_imported}
    return touched, modules


@pytest.mark.parametrize("name", [n for n in NAMES if n != "reference"])
def test_a_cheap_player_reads_only_the_player_view(name: str) -> None:
    moves = STRATEGIES[name].moves
    assert moves is not None
    touched, modules = _reached(moves.__name__)
    assert touched & FORBIDDEN == set()
    assert modules <= ALLOWED_IMPORTS | STDLIB


def test_the_scan_sees_the_answer_key_read_the_truth() -> None:
    touched, modules = _reached("reference", answer_key)
    assert {"truth", "Session", "wait_until"} <= touched
    assert "chaosgame.game.players" in modules


def _decoy(sc: Scenario) -> Scenario:
    """The same incident with another hidden truth."""
    decoy = Truth(root_cause=RootCause(component="dns", kind="stale-dns"))
    return sc.model_copy(update={"truth": decoy})


@pytest.mark.parametrize("name", [n for n in NAMES if n != "reference"])
def test_a_cheap_player_plays_the_same_whatever_the_truth(storm: Scenario, name: str) -> None:
    real = run_strategy(name, storm)
    fake = run_strategy(name, _decoy(storm))
    assert real.actions == fake.actions
    assert real.skipped == fake.skipped


def test_the_answer_key_does_change_with_the_truth(storm: Scenario) -> None:
    assert (
        run_strategy("reference", storm).actions != run_strategy("reference", _decoy(storm)).actions
    )

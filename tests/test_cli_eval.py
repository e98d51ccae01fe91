"""``chaosgame eval``: a policy over many incidents, summed up in a table.

Two small curated scenarios and the cheapest generated seeds keep it quick; the figures are
checked against the strategy players' own scores, the table against ``--json``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from chaosgame.cli import main
from chaosgame.evaluate import harness
from chaosgame.evaluate.incidents import from_scenarios
from chaosgame.game.strategies import STRATEGIES, Strategy, run_strategy
from chaosgame.scenario.library import find, load

SCENARIOS = ["search-cpu-high-at-night", "edge-regions-keep-crashing"]


def _eval(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(["eval", *argv])
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One evaluation of ``nothing`` and ``reference`` on two scenarios, in this process,
    saved in a fresh run database: its stdout and its JSON."""
    import contextlib
    import io

    folder = tmp_path_factory.mktemp("eval")
    db, doc = folder / "runs.sqlite3", folder / "eval.json"
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(
            ["eval", "--policy", "nothing", "--policy", "reference", "--scenarios", *SCENARIOS,
             "--records", str(db), "--json", str(doc)]
        )  # fmt: skip
    assert status == 0, err.getvalue()
    return {
        "db": db,
        "out": out.getvalue(),
        "err": err.getvalue(),
        "json": json.loads(doc.read_text()),
    }


def test_the_figures_are_the_players_own_scores(played: dict[str, Any]) -> None:
    doc = played["json"]
    assert [(e["incident"], e["policy"]) for e in doc["episodes"]] == [
        (s, p) for s in SCENARIOS for p in ("nothing", "reference")
    ]
    for e in doc["episodes"]:
        own = run_strategy(e["policy"], load(e["incident"])).score()
        assert e["total"] == own.total
    ref = doc["summary"]["reference"]["all"]
    nothing = doc["summary"]["nothing"]["all"]
    totals = [e["total"] for e in doc["episodes"] if e["policy"] == "reference"]
    assert ref["score"] == round(sum(totals) / 2, 2)
    assert ref["diagnosed"] == 1.0  # the answer key names the cause
    assert ref["mitigated"] == 1.0
    assert ref["budget_saved"] > 0
    assert (nothing["diagnosed"], nothing["budget_saved"], nothing["errors"]) == (0.0, 0.0, 0)
    for e in doc["episodes"]:
        # recovered, and held, within the time limit (doing nothing: only a passing fault)
        limit = load(e["incident"]).time_limit
        assert e["mitigated"] == (e["recovered_s"] is not None and e["recovered_s"] <= limit)
    topics = {t for s in SCENARIOS for t in load(s).topics}
    assert set(doc["summary"]["reference"]["topics"]) == topics


def test_the_table_shows_the_summary(played: dict[str, Any]) -> None:
    lines = played["out"].splitlines()
    assert lines[0] == "4 episodes over 2 scenarios, each scenario's own seed"
    ref = played["json"]["summary"]["reference"]["all"]
    row = next(line.split() for line in lines if line.startswith("reference"))
    assert row[:3] == ["reference", "2", f"{ref['score']:.1f}"]
    assert row[3:5] == ["100", "%"]
    assert any(line.startswith("mean score by topic") for line in lines)
    assert "Traceback" not in played["err"]


def test_the_evaluation_is_in_the_run_records(
    played: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["history", "--records", str(played["db"])]) == 0
    out = capsys.readouterr().out
    assert "2 scenarios" in out
    assert f"reference {played['json']['summary']['reference']['all']['score']:.1f}" in out
    assert main(["history", "--evals", "--json", "--records", str(played["db"])]) == 0
    (saved,) = json.loads(capsys.readouterr().out)
    assert saved["policies"] == ["nothing", "reference"]
    assert saved["episodes"] == 4
    assert saved["results"] == [
        [e["incident"], e["policy"], e["total"]] for e in played["json"]["episodes"]
    ]
    # the games list stays as it was: evaluations are not games
    assert main(["history", "--json", "--records", str(played["db"])]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_the_same_arguments_give_the_same_results_whatever_the_jobs(
    played: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = tmp_path / "two.json"
    status, out, err = _eval(
        capsys, "--policy", "nothing,reference", "--scenarios", *SCENARIOS, "--jobs", "2",
        "--records", str(played["db"]), "--json", str(doc),
    )  # fmt: skip
    assert status == 0, err
    assert out == played["out"]
    assert json.loads(doc.read_text()) == played["json"]


def test_a_dask_cluster_gives_the_local_results(played: dict[str, Any]) -> None:
    distributed = pytest.importorskip("distributed")
    jobs = [
        harness.Job(i, ("nothing", "reference"))
        for i in from_scenarios([str(find(s)) for s in SCENARIOS])
    ]
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        results = harness.run(jobs, dask=cluster.scheduler_address)
    episodes = [e for r in results for e in r.episodes]
    local = played["json"]["episodes"]
    assert [e["total"] for e in episodes] == [e["total"] for e in local]
    assert [e["score"] for e in episodes] == [e["score"] for e in local]


def test_a_policy_that_fails_is_counted_and_the_run_goes_on(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(hands: Any) -> None:
        hands.act({"type": "query", "view": "map"})
        raise RuntimeError("no idea what to do")

    monkeypatch.setitem(STRATEGIES, "broken", Strategy("broken", "fails", broken))
    status, out, err = _eval(
        capsys, "--policy", "broken", "--scenarios", SCENARIOS[0], "--no-record", "-q"
    )
    assert status == 0
    row = next(line.split() for line in out.splitlines() if line.startswith("all"))
    assert row[1] == "1"
    assert row[-1] == "1"  # one error
    assert "broken failed on search-cpu-high-at-night: RuntimeError: no idea what to do" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--policy", "refrence", "--seeds", "1-2"], "unknown policy 'refrence'; did you mean 'reference'?"),
        (["--policy", "nothing", "--seeds", "9-2"], "--seeds: '9-2' is empty"),
        (["--policy", "nothing", "--seeds", "a-b"], "--seeds: 'a-b' is not a range of seeds"),
        (["--policy", "nothing", "--seeds", "0-99999999"], "is out of range"),
        (["--policy", "nothing", "--scenarios", "/nowhere/*.yaml"], "matches no scenario file"),
        (["--policy", "nothing", "--scenarios", "no-such-incident"], "no scenario 'no-such-incident'"),
        (["--policy", "nothing", "--seeds", "1-2", "--jobs", "0"], "--jobs: must be at least 1"),
        (["--policy", "nothing", "--seeds", "1-2", "--seed", "x"], "--seed: 'x' is not a whole number"),
        (["--policy", "nothing", "--seeds", "1", "--difficulty", "brutal"], "unknown difficulty 'brutal'"),
        (["--policy", "nothing"], "name the incidents to play"),
        (["--policy", "nothing", "--scenarios", SCENARIOS[0], "--dask", "bogus://x"], "--dask: "),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_and_status_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = _eval(capsys, *argv, "--no-record")
    assert status == 2
    assert out == ""
    assert len(err.splitlines()) == 1, err
    assert err.startswith("chaosgame: ")
    assert message in err


def test_a_scenario_that_does_not_load_is_refused_before_playing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = find(SCENARIOS[0])
    (tmp_path / "a-good.yaml").write_text(good.read_text())
    (tmp_path / "b-broken.yaml").write_text(good.read_text().replace("truth:", "truht:"))
    status, out, err = _eval(capsys, "--policy", "nothing", "--scenarios", str(tmp_path))
    assert (status, out) == (2, "")
    assert len(err.splitlines()) == 1, err
    assert "b-broken.yaml:" in err


def test_generated_seeds_rotate_the_difficulties() -> None:
    from chaosgame.evaluate.incidents import from_seeds

    assert [i.difficulty for i in from_seeds("4-8")] == [
        "easy", "normal", "hard", "expert", "easy"
    ]  # fmt: skip
    assert {i.difficulty for i in from_seeds("4-8", "hard")} == {"hard"}
    assert [i.index for i in from_seeds("4-5", start=3)] == [3, 4]


def test_a_generated_seed_is_played_under_its_seed_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from chaosgame.generate.codes import SeedCode

    doc = tmp_path / "gen.json"
    status, out, err = _eval(
        capsys, "--policy", "nothing", "--seeds", "5", "--no-record", "-q", "--json", str(doc)
    )
    assert status == 0, err
    (episode,) = json.loads(doc.read_text())["episodes"]
    assert episode["incident"] == SeedCode(5, "normal").code
    assert (episode["source"], episode["difficulty"]) == ("generated", "normal")
    assert episode["topics"]
    assert out.splitlines()[0] == "1 episode over seeds 5 (mixed), each scenario's own seed"

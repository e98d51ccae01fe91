"""Generated incidents on the command line: ``play --seed``, ``daily``, bad codes, and a
generated game saved, listed and replayed to the same score."""

from __future__ import annotations

import datetime as dt
import io
import json
import sys
from pathlib import Path

import pytest

from chaosgame.cli import main
from chaosgame.game.records import RunStore
from chaosgame.generate.build import generate_scenario
from chaosgame.generate.codes import SeedCode, daily

EASY = SeedCode(11, "easy")


def _cli(monkeypatch: pytest.MonkeyPatch, argv: list[str], stdin: str = "") -> int:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    return main(argv)


def test_play_seed_plays_a_generated_incident_in_the_console(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["play", "--seed", "11", "--difficulty", "easy", "--text", "--no-record"]
    assert _cli(monkeypatch, argv, "map\nend\n") == 0
    out = capsys.readouterr().out
    sc = generate_scenario(EASY)
    assert out.startswith(f"=== {sc.title} ===\n")
    assert f"Seed code {EASY.code} (easy, any topic, " in out
    assert "Difficulty estimate " in out
    assert sc.components[0].name in out  # the map of the generated fleet was drawn
    assert "=== Debrief ===" in out


def test_a_seed_code_plays_the_same_incident_as_its_number(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _cli(monkeypatch, ["play", "--seed", EASY.code, "--text", "--no-record"], "end\n") == 0
    by_code = capsys.readouterr().out
    lower = EASY.code.lower().replace("-", " ")  # read aloud and typed loosely
    assert _cli(monkeypatch, ["play", "--seed", lower, "--text", "--no-record"], "end\n") == 0
    assert capsys.readouterr().out == by_code
    # the code as the scenario argument, and the generated id history shows, name it too
    sc = generate_scenario(EASY)
    for name in (EASY.code, sc.id):
        assert _cli(monkeypatch, ["play", name, "--text", "--no-record"], "end\n") == 0
        assert capsys.readouterr().out == by_code


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["--seed", "K7F3-QX2N"], "is not a valid seed code (a character is mistyped)"),
        (["--seed", "K7F3-QX!M"], "character 7 ('!') is not used in codes"),
        (["--seed", "3", "--topic", "kubernetes"], "unknown topic 'kubernetes'"),
        (["--seed", "99999999999"], "seed 99999999999 is out of range (0 to 67,108,863)"),
        (
            ["--seed", EASY.code, "--difficulty", "hard"],
            f"seed code {EASY.code} makes an incident of difficulty easy",
        ),
        (["checkout-payment-step-failing", "--seed", EASY.code], "makes its own incident"),
        (["checkout-payment-step-failing", "--topic", "slo"], "drop the scenario"),
        (["NOPE-NOPE"], "is not a valid seed code"),
    ],
)
def test_a_bad_code_or_topic_is_one_line_and_status_2(
    argv: list[str], said: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _cli(monkeypatch, ["play", *argv, "--text", "--no-record"], "end\n") == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("chaosgame: ")
    assert said in err
    assert "Traceback" not in err


def test_a_scenario_keeps_seed_as_its_seed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = str(tmp_path / "runs.sqlite3")
    argv = ["play", "checkout-payment-step-failing", "--seed", "123", "--text", "--records", db]
    assert _cli(monkeypatch, argv, "end\n") == 0
    run = RunStore(db).get("last")
    assert (run.scenario_id, run.seed) == ("checkout-payment-step-failing", 123)


def test_daily_is_the_days_code_for_everyone(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    date = dt.date(2026, 3, 2)  # a Monday: an easy one
    code = daily(date)
    assert (
        _cli(monkeypatch, ["daily", "--date", "2026-03-02", "--text", "--no-record"], "end\n") == 0
    )
    first, _, out = capsys.readouterr().out.partition("\n")
    assert first == f"The incident of 2026-03-02 (UTC): seed code {code.code}"
    assert f"Seed code {code.code} (easy, " in out
    assert _cli(monkeypatch, ["play", "--seed", code.code, "--text", "--no-record"], "end\n") == 0
    assert capsys.readouterr().out == out  # the same incident as its code
    other = daily(date + dt.timedelta(days=1))
    assert other.code != code.code


def test_daily_without_a_date_is_today_in_utc(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import chaosgame.generate.codes as codes

    monkeypatch.setattr(codes, "today", lambda: dt.date(2026, 3, 2))
    assert _cli(monkeypatch, ["daily", "--text", "--no-record"], "end\n") == 0
    assert f"seed code {daily(dt.date(2026, 3, 2)).code}\n" in capsys.readouterr().out


def test_daily_refuses_a_date_that_is_not_one(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["daily", "--date", "2026-13-01"])
    assert exc.value.code == 2
    assert "'2026-13-01' is not a date written YYYY-MM-DD" in capsys.readouterr().err


def test_a_generated_game_is_saved_listed_and_replays_to_the_same_score(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "runs.sqlite3")
    sc = generate_scenario(EASY)
    rc = sc.truth.root_cause
    script = f"map\nchanges\nwait 2m\ndeclare {rc.component} {rc.kind} 0.8\nend\n"
    argv = ["play", "--seed", EASY.code, "--text", "--records", db]
    assert _cli(monkeypatch, argv, script) == 0
    assert "Saved as run 1" in capsys.readouterr().out
    record = RunStore(db).get("last")
    assert record.scenario_id == sc.id
    assert record.scenario() == sc  # the record rebuilds the very incident
    assert record.score is not None
    assert record.score["total"] > 0  # the right cause was named
    assert _cli(monkeypatch, ["history", "--json", "--records", db]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert (row["scenario"], row["status"]) == (sc.id, "finished")
    assert _cli(monkeypatch, ["replay", "last", "--json", "--records", db]) == 0
    replayed = json.loads(capsys.readouterr().out)
    assert replayed["reproduced"] is True
    assert replayed["score"]["total"] == record.score["total"]

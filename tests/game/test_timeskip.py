"""Long incidents: the time-skip (wait until the next action under way takes effect), refused
actions' sentences through the player view, this incident's durations in the menu, and a
score that counts the harm of the whole long window."""

from __future__ import annotations

import io

import pytest

from chaosgame.console import run_console
from chaosgame.game.commands import parse_command
from chaosgame.game.menu import delay_text, mitigation_commands, recovery_commands
from chaosgame.game.player import PlayerView
from chaosgame.game.session import Session
from chaosgame.game.timeskip import NOTHING_UNDER_WAY
from chaosgame.scenario.library import load
from chaosgame.scenario.units import format_duration

LONG = "issue-tracker-down"
PROVISION = {
    "type": "mitigate",
    "action": "run-step",
    "target": "tracker-db",
    "step": "provision-restore-host",
}
RESTORE = {"type": "mitigate", "action": "restore-backup", "target": "tracker-db"}


@pytest.fixture(scope="module")
def long_view() -> PlayerView:
    view = PlayerView(load(LONG))
    view.start()
    return view


def test_a_skip_with_nothing_under_way_is_refused_and_costs_nothing() -> None:
    s = Session(load(LONG))
    s.reset()
    before = s.now
    out = s.step({"type": "wait", "until": "next"})
    assert not out["ok"]
    assert out["error"] == NOTHING_UNDER_WAY
    assert s.now == before


def test_a_skip_moves_the_clock_to_the_moment_the_next_action_has_acted() -> None:
    s = Session(load(LONG))
    s.reset()
    asked = s.step(PROVISION)
    assert asked["result"]["delay_s"] == 2400.0  # the runbook's 40 minutes, not the catalogue's
    at = asked["result"]["takes_effect_at"]
    out = s.step({"type": "wait", "until": "next"})
    assert out["ok"]
    res = out["result"]
    assert res["reached"]
    assert res["step"] == "run-step tracker-db"
    assert at < s.now <= at + s.scenario.tick + 1e-9
    assert out["observation"]["pending_mitigations"] == []
    assert res["message"] == (
        f"waited {format_duration(res['waited_s'])} until run-step tracker-db took effect"
    )
    assert 2400.0 - 30.0 < res["waited_s"] <= 2400.0 + 60.0


def test_a_skip_past_the_time_limit_stops_there_and_ends_the_game() -> None:
    sc = load(LONG).model_copy(update={"time_limit": 1800.0})
    s = Session(sc)
    s.reset()
    s.step(PROVISION)
    out = s.step({"type": "wait", "until": "next"})
    assert out["ok"]
    assert not out["result"]["reached"]
    assert "the time limit came before" in out["result"]["message"]
    assert s.ended
    assert s.now == pytest.approx(s.deadline)


def test_a_refused_restore_reads_as_the_runbooks_sentence_in_the_player_view(
    long_view: PlayerView,
) -> None:
    out = long_view.act(RESTORE)
    assert not out["ok"]
    assert out["error"].startswith("restore-backup tracker-db: there is no host to restore onto")
    assert "run-step provision-restore-host on tracker-db" in out["error"]


def test_a_restore_over_hours_is_played_in_three_skips() -> None:
    view = PlayerView(load(LONG))
    view.start()
    assert view.act(PROVISION)["ok"]
    assert view.act({"type": "wait", "until": "next"})["ok"]
    out = view.act(RESTORE)
    assert out["ok"]
    assert out["result"]["delay_s"] == 6 * 3600.0
    t0 = view.now
    assert view.act({"type": "wait", "until": "next"})["ok"]
    assert view.now - t0 == pytest.approx(6 * 3600.0 - 30.0 + 60.0)  # less the hands-on time
    slo = view.act({"type": "wait", "seconds": 900})["observation"]["slos"][0]
    assert slo["burn_5m"] < 1.0
    assert len(view.actions) == 5


def test_the_console_and_the_palette_know_the_skip() -> None:
    assert parse_command("wait next") == {"type": "wait", "until": "next"}
    assert parse_command("wait until next") == {"type": "wait", "until": "next"}
    out = io.StringIO()
    script = io.StringIO(
        "do run-step tracker-db step=provision-restore-host\nwait next\ndo restore-backup "
        "tracker-db\nwait next\nend\n"
    )
    assert run_console(load(LONG), None, script, out) == 0
    text = out.getvalue()
    assert "waited 40m" in text
    assert "until run-step tracker-db took effect" in text
    assert "until restore-backup tracker-db took effect" in text
    assert "there is no host" not in text


def test_the_consoles_action_list_shows_this_incidents_durations_and_runbook() -> None:
    out = io.StringIO()
    assert run_console(load(LONG), None, io.StringIO("actions\nend\n"), out) == 0
    text = out.getvalue()
    assert "restore-backup" in text
    assert "(acts after 1800s)" not in text.split("restore-backup", 1)[1].splitlines()[0]
    assert "acts after 6h here (catalogue: 30m)" in text
    assert "tracker-db provision-restore-host: build a host" in text
    assert "(acts after 40m)" in text


def test_the_menu_shows_this_incidents_durations_where_they_differ() -> None:
    briefing = PlayerView(load(LONG)).briefing()
    assert delay_text(briefing, "restore-backup", "tracker-db") == "6h here (catalogue: 30m)"
    assert delay_text(briefing, "rollback", "tracker") == "2m"
    restore = [c for c in mitigation_commands(["tracker-db"], briefing) if "restore" in c.label]
    assert restore[0].help.startswith("acts after 6h here (catalogue: 30m)")
    labels = [c.label for c in recovery_commands(briefing)]
    assert labels == ["wait until the next step", "run-step tracker-db provision-restore-host"]
    # an incident without recovery rules lists what it always did
    plain = PlayerView(load()).briefing()
    assert "runbook" not in plain
    assert recovery_commands(plain) == []


def test_the_score_counts_the_harm_of_the_whole_long_window() -> None:
    sc = load(LONG)

    def burned(actions: list[dict[str, object]]) -> float:
        view = PlayerView(sc)
        view.start()
        for a in actions:
            view.act(a)
        view.end()
        return float(view.score()["parts"][0]["data"]["burned"]["player"])

    prompt = burned([PROVISION, {"type": "wait", "until": "next"}, RESTORE])
    late = burned(
        [*[{"type": "wait", "seconds": 3600.0}] * 4, PROVISION, {"type": "wait", "until": "next"}]
        + [RESTORE]
    )
    nothing = burned([])
    # four hours more of a dead tracker burn about four hours more of budget: the comparison
    # runs over the whole 12 hours, not a short window after the page
    assert prompt < late < nothing
    assert late - prompt == pytest.approx(nothing * 4 / 12, rel=0.25)


def test_a_skip_waits_for_what_another_party_was_asked_to_do() -> None:
    """A request is delivered at once; the skip then goes on to the moment the party starts,
    and next to the moment its change is fully adopted (both in the timeline)."""
    s = Session(load("checkout-fails-for-partner-too"))
    s.reset()
    asked = s.step(
        {
            "type": "mitigate",
            "action": "request",
            "target": "parcelnest",
            "ask": "restore-backoff",
        }
    )
    assert asked["ok"], asked
    first = s.step({"type": "wait", "until": "next"})["result"]
    assert first["message"].endswith("until request parcelnest took effect")
    started = s.step({"type": "wait", "until": "next"})["result"]
    assert started["reached"]
    assert started["step"] == "parcelnest's restore-backoff"
    assert started["message"].endswith("until parcelnest's restore-backoff started")
    # their pace: 15m after the request, plus up to 10m of seeded jitter
    assert 15 * 60 <= started["waited_s"] <= 25 * 60 + 2 * s.scenario.tick
    adopted = s.step({"type": "wait", "until": "next"})["result"]
    assert adopted["message"].endswith("until parcelnest's restore-backoff was fully adopted")
    assert abs(adopted["waited_s"] - 20 * 60) <= 2 * s.scenario.tick
    assert s.observe()["requests"][0]["state"] == "done"
    nothing = s.step({"type": "wait", "until": "next"})
    assert not nothing["ok"]

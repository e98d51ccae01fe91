"""Authored evidence shows in every player view; its debrief-only notes only in the debrief."""

from __future__ import annotations

import json

from chaosgame.game.player import PlayerView
from tests.conftest import make_scenario

NOTE = "the glob matched every api server, not the two meant"
MAIL_NOTE = "this warning named the certificate that later expired"


def test_notes_stay_out_of_play_and_appear_in_the_debrief() -> None:
    sc = make_scenario(
        faults=[{"kind": "bad-config", "target": "api", "at": 300.0}],
        evidence={
            "audit": [
                {
                    "at": -3600.0,
                    "author": "kim",
                    "command": "fleetctl remove --match 'api*'",
                    "matched": "40 servers",
                    "outcome": "40 removed",
                    "note": NOTE,
                }
            ],
            "notifications": [
                {"at": -86400.0, "sender": "certbot", "subject": "renew soon", "note": MAIL_NOTE}
            ],
        },
    )
    view = PlayerView(sc)
    seen = [view.start()]
    for q in ("events --since=30d", "changes", "events kind=audit", 'logs {service="api"}'):
        seen.append(view.act({"type": "query", "q": q}))
    seen.append(view.act({"type": "query", "view": "events", "window": 86400.0 * 2}))
    blob = json.dumps(seen)
    assert "fleetctl remove" in blob  # the evidence itself is there to find
    assert "renew soon" in blob
    assert NOTE not in blob
    assert MAIL_NOTE not in blob
    view.end()
    debrief = json.dumps(view.debrief())
    assert NOTE in debrief
    assert MAIL_NOTE in debrief

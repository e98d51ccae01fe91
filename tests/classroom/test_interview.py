"""Interview rounds: one candidate, think-aloud notes, the interviewer's truth, rubric,
questions and report; and nothing of it reaches the candidate before the reveal."""

from __future__ import annotations

import json
import re
import threading
from typing import Any

import pytest
from websockets.sync.client import connect

from chaosgame.classroom.interview import CRITERIA, transcript
from chaosgame.classroom.room import Room, RoomError, new_round
from chaosgame.classroom.server import ClassServer, Running
from chaosgame.classroom.store import Store
from chaosgame.game.agent_session import AgentSession
from chaosgame.scenario.library import load
from tests.classroom.test_room import PLAY
from tests.classroom.test_rounds_at_scale import _markers

SCENARIO = "checkout-payment-step-failing"


@pytest.fixture(scope="module")
def scenario() -> Any:
    return load(SCENARIO)


def _ticking(start: float = 1000.0) -> Any:
    now = [start]

    def clock() -> float:
        now[0] += 1.0
        return now[0]

    return clock


def test_an_interview_admits_one_candidate_who_may_come_back(store: Store, scenario: Any) -> None:
    r, _ = new_round(store, scenario, mode="interview")
    room = Room(store, r.code)
    token = room.join("ada")
    with pytest.raises(RoomError) as second:
        room.join("bob")
    assert second.value.code == "round_full"
    assert "already has its candidate" in second.value.message
    assert "ada" not in second.value.message  # the refused never learn who it is
    assert room.join("ada", token) == token
    with pytest.raises(RoomError) as taken:
        room.join("ada")  # the name without the token is still somebody else
    assert taken.value.code == "name_taken"
    assert [p.name for p in store.players(r.code)] == ["ada"]
    # a class round still takes everyone
    c, _ = new_round(store, scenario)
    klass = Room(store, c.code)
    klass.join("ada")
    klass.join("bob")
    assert len(store.players(c.code)) == 2


def test_of_candidates_joining_at_once_on_two_servers_one_gets_the_seat(
    store: Store, scenario: Any
) -> None:
    r, _ = new_round(store, scenario, mode="interview")
    rooms = [Room(store, r.code), Room(store, r.code)]  # two server processes' views
    start = threading.Barrier(8)
    outcomes: dict[str, str] = {}

    def join(n: int) -> None:
        start.wait()
        try:
            rooms[n % 2].join(f"candidate-{n}")
            outcomes[f"candidate-{n}"] = "in"
        except RoomError as exc:
            outcomes[f"candidate-{n}"] = exc.code

    threads = [threading.Thread(target=join, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    admitted = [name for name, got in outcomes.items() if got == "in"]
    assert len(admitted) == 1
    assert sorted(set(outcomes.values())) == ["in", "round_full"]
    assert [p.name for p in store.players(r.code)] == admitted


def test_think_aloud_notes_are_logged_with_the_time_and_never_touch_the_game(
    store: Store, scenario: Any
) -> None:
    r, _ = new_round(store, scenario, mode="interview")
    room = Room(store, r.code, clock=_ticking())
    token = room.join("ada")
    before = room.request("ada", token, {"id": 1, "op": "observe"})
    said = room.request("ada", token, {"id": 2, "op": "think", "text": "  errors first  "})
    assert said["id"] == 2
    assert said["result"]["noted"] == 1
    after = room.request("ada", token, {"id": 1, "op": "observe"})
    assert after == before  # the game's clock did not move
    assert store.journal(r.code, "ada") == []
    log = store.round_log(r.code)
    assert [(k, b) for _, k, b, _ in log] == [
        ("think", {"name": "ada", "text": "errors first", "game_clock": "14:13:30"})
    ]
    assert log[0][3] == said["result"]["at"]
    for bad, why in [
        ({"text": ""}, "1 to 2000"),
        ({"text": "x" * 2001}, "1 to 2000"),
        ({"text": 5}, "1 to 2000"),
        ({"text": "x", "loud": True}, "unknown field 'loud'"),
    ]:
        answer = room.request("ada", token, {"id": 3, "op": "think", **bad})
        assert answer["error"]["code"] == "invalid_params"
        assert why in answer["error"]["message"]
    # the replayed game, in another process, is the game the actions give alone
    other = Room(store, r.code)
    moves = [room.request("ada", token, dict(q)) for q in PLAY[1:4]]
    alone = AgentSession(scenario)
    assert moves == [alone.handle(dict(q)) for q in PLAY[:4]][1:4]
    assert other.request("ada", token, {"id": 9, "op": "observe"}) == room.request(
        "ada", token, {"id": 9, "op": "observe"}
    )
    # a paused round still hears the candidate think
    room.set_state("paused")
    assert "result" in room.request("ada", token, {"id": 4, "op": "think", "text": "waiting"})
    # local play has no server to think to: the protocol's ops are unchanged
    local = AgentSession(scenario).handle({"id": 1, "op": "think", "text": "x"})
    assert local["error"]["code"] == "unknown_op"


def test_the_interviewer_reads_the_truth_marks_the_rubric_asks_and_writes_the_report(
    store: Store, scenario: Any
) -> None:
    from chaosgame.classroom.server import ClassServer

    r, _ = new_round(store, scenario, mode="interview")
    server = ClassServer(store, clock=_ticking(5000.0))
    room = server.room(r.code)

    def op(name: str, **params: Any) -> Any:
        return server._host_op(room, {"op": name, **params})

    truth = op("truth")
    assert truth["root_cause"] == {"component": "payments", "kind": "bad-deploy"}
    assert truth["reference_solution"][0] == "do rollback payments"
    assert truth["causal_chain"][0]["component"] == "payments"

    state = op("rubric")["rubric"]
    assert [c["criterion"] for c in state] == [c.key for c in CRITERIA]
    assert all(c["mark"] is None for c in state)
    op("rubric", criterion="evidence", mark=2, comment="went to the map first")
    state = op("rubric", criterion="evidence", mark=3, comment="then the deploys")["rubric"]
    evidence = next(c for c in state if c["criterion"] == "evidence")
    assert (evidence["mark"], evidence["comment"]) == (3, "then the deploys")
    assert evidence["meaning"] == CRITERIA[3].levels[2]
    for bad, why in [
        ({"criterion": "luck", "mark": 2}, "criterion is one of hypotheses"),
        ({"criterion": "safety", "mark": 5}, "mark is a whole number from 1 to 4"),
        ({"criterion": "safety", "mark": True}, "mark is a whole number"),
        ({"criterion": "safety", "mark": 2, "comment": "x" * 2001}, "comment is text"),
    ]:
        with pytest.raises(RoomError) as refused:
            op("rubric", **bad)
        assert why in refused.value.message

    topics = op("questions")["topics"]
    assert [t["topic"] for t in topics][:3] == list(scenario.topics)
    assert all(t["incident"] for t in topics[:3])
    assert not any(t["incident"] for t in topics[3:])
    assert all(t["questions"] > 0 for t in topics)
    slo = op("questions", topic="slo")["questions"]
    assert all("slo" in q["topics"] for q in slo)
    first = next(q for q in slo if q["id"] == "slo-001")
    assert first["answer"] == 2
    assert first["choices"][2] == "20,000"
    with pytest.raises(RoomError) as unknown:
        op("questions", topic="kubernetes")
    assert "unknown topic id 'kubernetes'" in unknown.value.message
    op("ask", question="slo-001", note="got the formula, unsure of the target")
    with pytest.raises(RoomError) as no_such:
        op("ask", question="slo-999")
    assert "no question with id 'slo-999'" in no_such.value.message
    op("note", text="calm, structured")

    token = room.join("ada")
    room.answer("ada", {"op": "think", "text": "checkout errors; who does it call?"})
    for q in PLAY[:3]:
        room.request("ada", token, dict(q))
    early = op("report")
    assert not early["json"]["game"]["ended"]
    assert not early["json"]["path"]["compared"]
    assert "not ended yet" in early["markdown"]
    assert "the game's score comes when the candidate ends it" in early["markdown"]
    for q in PLAY[3:]:
        room.request("ada", token, dict(q))
    done = op("report")["json"]
    assert done["candidate"] == "ada"
    assert done["game"]["ended"]
    local = AgentSession(scenario)
    alone = [local.handle(dict(q)) for q in PLAY][-1]["result"]["score"]
    assert done["game"]["raw_score"] == alone["total"]
    assert done["game"]["grade"] == alone["grade"]
    assert done["rubric"]["total"] == 3
    assert done["rubric"]["marked"] == 1
    assert done["path"]["compared"]
    assert done["path"]["candidate"][1]["role"] == "part of the reference solution"
    assert done["path"]["reference"][0]["text"] == "do rollback payments"
    assert [t["text"] for t in done["think_aloud"]] == ["checkout errors; who does it call?"]
    assert [q["question"] for q in done["questions"]] == ["slo-001"]
    assert [n["text"] for n in done["notes"]] == ["calm, structured"]
    kinds = [row["kind"] for row in done["timeline"]]
    assert "rubric" not in kinds
    assert kinds.index("think") < kinds.index("action")
    text = op("report")["markdown"]
    for heading in (
        "# Interview: ada",
        "## Score",
        "## Rubric",
        "## The path against the reference",
        "## Timeline",
        "## Questions asked",
        "## Think-aloud notes",
        "## Interviewer's notes",
    ):
        assert heading in text
    assert "| Use of evidence | 3/4 |" in text
    assert "Answer: got the formula, unsure of the target" in text

    # a class round has a truth and a question bank for its host, but no rubric or report
    c, _ = new_round(store, scenario)
    klass = server.room(c.code)
    assert server._host_op(klass, {"op": "truth"})["root_cause"]["component"] == "payments"
    for name in ("rubric", "ask", "report"):
        with pytest.raises(RoomError) as refused:
            server._host_op(klass, {"op": name})
        assert "for interview rounds" in refused.value.message


def test_transcript_merges_actions_and_the_log_in_time_order() -> None:
    steps = [
        {"seq": 1, "at": 10.0, "request": {"op": "query", "view": "map"}},
        {"seq": 2, "at": 30.0, "request": {"op": "end"}},
    ]
    log = [
        {"seq": 1, "kind": "think", "at": 10.0, "name": "ada", "text": "map first"},
        {"seq": 2, "kind": "think", "at": 20.0, "name": "bob", "text": "not the candidate"},
        {"seq": 3, "kind": "rubric", "at": 25.0, "criterion": "safety", "mark": 2},
        {"seq": 4, "kind": "ask", "at": 31.0, "question": "slo-001", "text": "Q?", "note": "ok"},
    ]
    rows = transcript(steps, log, "ada")
    assert [(r["at"], r["kind"], r["text"]) for r in rows] == [
        (10.0, "action", "query map"),
        (10.0, "think", 'ada: "map first"'),
        (30.0, "action", "end"),
        (31.0, "ask", "asked slo-001: Q? - ok"),
    ]


# ------------------------------------------------------------------ over the wire
def test_nothing_of_the_interviewer_reaches_the_candidate_before_the_reveal(
    store: Store, scenario: Any
) -> None:
    r, host_token = new_round(store, scenario, mode="interview")
    running = Running(ClassServer(store))
    url = f"ws://127.0.0.1:{running.port}"
    heard: list[str] = []
    host_heard: list[dict[str, Any]] = []
    secret = "INTERVIEWER-ONLY"
    try:
        with connect(f"{url}/ws/play") as ws, connect(f"{url}/ws/host") as host:

            def ask(sock: Any, request: dict[str, Any], keep: list[Any] | None) -> Any:
                sock.send(json.dumps(request))
                while True:
                    raw = sock.recv(timeout=120)
                    answer = json.loads(raw)
                    if keep is heard:
                        heard.append(str(raw))
                    if "event" in answer:
                        if keep is host_heard:
                            host_heard.append(answer["event"])
                        continue
                    return answer

            ask(ws, {"op": "join", "round": r.code, "name": "ada"}, heard)
            ask(host, {"op": "host", "round": r.code, "token": host_token}, host_heard)
            with connect(f"{url}/ws/play") as other:
                refused = ask(other, {"op": "join", "round": r.code, "name": "bob"}, None)
            assert refused["error"]["code"] == "round_full"
            host_ops = [
                {"op": "truth"},
                {"op": "rubric", "criterion": "safety", "mark": 4, "comment": secret},
                {"op": "questions", "topic": "incident-response"},
                {"op": "ask", "question": "slo-001", "note": secret},
                {"op": "note", "text": secret},
                {"op": "report"},
            ]
            for i, q in enumerate(PLAY):
                ask(
                    ws,
                    {"id": 100 + i, "op": "think", "text": f"step {i}: reading the board"},
                    heard,
                )
                answer = ask(ws, q, heard)
                assert "error" not in answer, answer
                if i < len(host_ops):
                    assert "result" in ask(host, {"id": i, **host_ops[i]}, host_heard)
            ask(host, {"id": 50, "op": "hint", "text": "a public hint", "penalty": 0}, host_heard)
            # the poller has had time to push everything it would push
            threading.Event().wait(1.5)
            ask(ws, {"id": 60, "op": "observe"}, heard)
            ask(host, {"id": 61, "op": "standings"}, host_heard)
        blob = "\n".join(heard).lower()
        assert "a public hint" in blob  # events do reach the candidate...
        assert secret.lower() not in blob  # ...but never the interviewer's own
        assert "reading the board" not in blob  # nor their own think-aloud echoed as events
        assert "root_cause" not in blob
        assert "reference_solution" not in blob
        for mark in _markers(scenario):
            if mark == "bad-deploy":
                continue  # the candidate's own declaration names it
            pattern = r"(?<![a-z0-9-])" + re.escape(mark.lower()) + r"(?![a-z0-9-])"
            assert not re.search(pattern, blob), mark
        kinds = {e["kind"] for e in host_heard}
        assert {"think", "rubric", "ask", "note", "hint"} <= kinds
    finally:
        running.stop()

"""The classroom server under a whole class: N players at once, a restart, on loopback.

    python benchmarks/bench_classroom.py [--players 100] [--db sqlite|postgresql|all]

A round of ``checkout-payment-step-failing`` is opened in a fresh class database (a SQLite
file in a temporary folder, or a PostgreSQL server started from the machine's binaries in
one) and served by ``chaosgame host --serve --no-web --no-console`` in a process of its own,
so its CPU time and memory are measured apart from the players'. Each player is an asyncio
task with its own websocket: it joins, then plays an informed script (look, query the deploys
and the errors, roll back, cut the retries, wait, declare, end), each player a little
differently (the deploys' window, how long they wait, their confidence), all at once.

It prints, for each database:

* the wall time of the whole round, the requests answered a second, and each kind of
  request's latency (p50, p95, max);
* the server's CPU seconds during the round and its peak memory (``VmHWM``), with the CPU per
  game as a ratio to the same games played in this process with ``AgentSession`` (what
  journaling, the network and the database cost on top of the game itself);
* the restart: the server is killed (SIGKILL) and a new one started on the same database;
  the time until every player, reconnecting, has the answer to their next request (each game
  rebuilt from its journal).

It checks that every answer is the one the same requests get played alone, that every
player's score on the host's leaderboard (before and after the restart) is the local game's,
and that the rebuilt games are where they were; a mismatch is a loud failure and exit 1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

from chaosgame.classroom.room import new_round
from chaosgame.classroom.store import open_store
from chaosgame.game.agent_session import AgentSession
from chaosgame.scenario.library import load

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SCENARIO = "checkout-payment-step-failing"
KINDS = ("join", "observe", "query", "mitigate", "wait", "declare", "end")
"""The kinds of request whose latency is reported, in the order of the table."""
TICK = os.sysconf("SC_CLK_TCK")


def plan(i: int) -> list[dict[str, Any]]:
    """Player ``i``'s requests after joining: the informed play, a little different for each."""
    requests: list[dict[str, Any]] = [
        {"op": "observe"},
        {
            "op": "query",
            "view": "deploys",
            "component": "payments",
            "window": ("1h", "2h", "6h")[i % 3],
        },
        {"op": "query", "view": "metric", "component": "checkout", "metric": "errors"},
        {"op": "mitigate", "action": "rollback", "target": "payments"},
        {"op": "wait", "until": "next"},
        {"op": "mitigate", "action": "disable-retries", "target": "checkout", "to": "payments"},
        {"op": "wait", "seconds": 240 + 20 * (i % 7)},
        {
            "op": "declare",
            "component": "payments",
            "kind": "bad-deploy",
            "confidence": round(0.6 + 0.05 * (i % 5), 2),
        },
        {"op": "end"},
    ]
    return [{"id": k + 1, **r} for k, r in enumerate(requests)]


# ---------------------------------------------------------------------- the server process


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``chaosgame host --serve`` in a process of its own: its CPU seconds and memory."""

    def __init__(self, db: str, port: int, log: Path) -> None:
        self.port = port
        self.log = log
        self.started = time.perf_counter()
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        cmd = [sys.executable, "-m", "chaosgame", "host", "--serve", "--db", db]
        cmd += ["--port", str(port), "--no-web", "--no-console"]
        self._err = log.open("w")
        self.proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=self._err, text=True, env=env, cwd=ROOT
        )
        self.ready_s: float | None = None

    def wait_ready(self) -> float:
        """Seconds from the start until the server listens (it says so on stdout)."""
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if line.startswith("Ctrl-C"):
                self.ready_s = time.perf_counter() - self.started
                return self.ready_s
        raise RuntimeError(f"the server did not start: {self.log.read_text()[-2000:]}")

    def cpu(self) -> float:
        """CPU seconds (user and system) the server has used so far."""
        stat = Path(f"/proc/{self.proc.pid}/stat").read_text()
        fields = stat.rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK

    def memory(self, key: str) -> int:
        """A line of ``/proc/PID/status`` in bytes (``VmHWM``: the peak resident set)."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
        raise KeyError(key)

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(30)
        self._err.close()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(30)
        self._err.close()


@contextmanager
def database(kind: str, folder: Path) -> Iterator[str]:
    """A fresh, empty class database of ``kind``: its URL."""
    if kind == "sqlite":
        yield str(folder / "class.sqlite3")
        return
    from tests.classroom.postgres import PostgresServer

    # not under ``folder``: the postgres user must be able to reach it
    root = Path(tempfile.mkdtemp(prefix="chaosgame-pg-"))
    server = PostgresServer(root)
    try:
        yield server.url
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


# ---------------------------------------------------------------------- the players


@dataclass
class Player:
    i: int
    name: str
    requests: list[dict[str, Any]]
    token: str = ""
    answers: list[dict[str, Any]] = field(default_factory=list)
    latency: list[tuple[str, float]] = field(default_factory=list)
    back: dict[str, Any] = field(default_factory=dict)
    """The answer to the first request after the restart."""
    back_at: float = 0.0


async def _ask(ws: ClientConnection, request: dict[str, Any]) -> tuple[dict[str, Any], float]:
    started = time.perf_counter()
    await ws.send(json.dumps(request))
    while True:
        answer: dict[str, Any] = json.loads(await ws.recv())
        if "event" not in answer:
            return answer, time.perf_counter() - started


def _url(port: int, path: str) -> str:
    return f"ws://127.0.0.1:{port}{path}"


async def play(p: Player, port: int, code: str, connected: list[int], go: asyncio.Event) -> None:
    """Join and play the whole script; the clock starts once every player is connected."""
    async with connect(_url(port, "/ws/play"), open_timeout=120, max_size=2**24) as ws:
        connected[0] += 1
        await go.wait()
        joined, took = await _ask(ws, {"id": 0, "op": "join", "round": code, "name": p.name})
        if "result" not in joined:
            raise RuntimeError(f"{p.name} could not join: {joined}")
        p.token = joined["result"]["joined"]["token"]
        p.latency.append(("join", took))
        for request in p.requests:
            answer, took = await _ask(ws, request)
            p.answers.append(answer)
            p.latency.append((request["op"], took))


async def come_back(p: Player, port: int, code: str, deadline: float) -> None:
    """Reconnect (the server may not listen yet), rejoin with the token, look again."""
    while True:
        try:
            ws = await connect(_url(port, "/ws/play"), open_timeout=120, max_size=2**24)
            break
        except OSError:
            if time.perf_counter() > deadline:
                raise
            await asyncio.sleep(0.05)
    async with ws:
        request = {"id": 0, "op": "join", "round": code, "name": p.name, "token": p.token}
        joined, _ = await _ask(ws, request)
        if "result" not in joined:
            raise RuntimeError(f"{p.name} could not rejoin: {joined}")
        p.back, _ = await _ask(ws, {"id": 99, "op": "observe"})
        p.back_at = time.perf_counter()


async def standings(port: int, code: str, token: str) -> dict[str, dict[str, Any]]:
    """The host's leaderboard, by player."""
    async with connect(_url(port, "/ws/host"), open_timeout=120, max_size=2**24) as ws:
        hosted, _ = await _ask(ws, {"id": 0, "op": "host", "round": code, "token": token})
        if "result" not in hosted:
            raise RuntimeError(f"the host could not connect: {hosted}")
        board, _ = await _ask(ws, {"id": 1, "op": "standings"})
    return {row["name"]: row for row in board["result"]["players"]}


async def _all(tasks: list[Any]) -> list[str]:
    """Run the players' coroutines; what went wrong, one line each."""
    results = await asyncio.gather(*tasks, return_exceptions=True)
    return [f"{type(r).__name__}: {r}" for r in results if isinstance(r, BaseException)]


async def round_of(players: list[Player], port: int, code: str) -> tuple[float, list[str]]:
    """Every player plays at once: the wall seconds from the start to the last answer."""
    connected = [0]
    go = asyncio.Event()
    tasks = [asyncio.ensure_future(play(p, port, code, connected, go)) for p in players]
    while connected[0] < len(players) and not any(t.done() for t in tasks):
        await asyncio.sleep(0.01)
    started = time.perf_counter()
    go.set()
    failures = await _all(tasks)
    return time.perf_counter() - started, failures


# ---------------------------------------------------------------------- one database


@dataclass
class Figures:
    db: str
    players: int
    wall_s: float = 0.0
    requests: int = 0
    idle_rss: int = 0
    peak_rss: int = 0
    server_cpu_s: float = 0.0
    local_cpu_s: float = 0.0
    client_cpu_s: float = 0.0
    latency: dict[str, list[float]] = field(default_factory=dict)
    start_s: float = 0.0
    restart_s: float = 0.0
    rebuild_cpu_s: float = 0.0
    board_s: float = 0.0
    """The host's first leaderboard reading after the round, which scores every game."""
    failures: list[str] = field(default_factory=list)


def local_games(
    scenario: Any, players: list[Player]
) -> tuple[list[AgentSession], list[Any], float]:
    """The same games played in this process: the sessions, their answers, CPU seconds."""
    sessions, answers = [], []
    started = time.process_time()
    for p in players:
        session = AgentSession(scenario)
        answers.append([session.handle(dict(q)) for q in p.requests])
        sessions.append(session)
    return sessions, answers, time.process_time() - started


def check(
    figures: Figures,
    players: list[Player],
    local: list[list[dict[str, Any]]],
    boards: list[tuple[str, dict[str, dict[str, Any]]]],
) -> None:
    """Every answer as the game played alone gives it; every score the local game's."""
    bad = figures.failures
    for p, expected in zip(players, local, strict=True):
        if len(p.answers) != len(expected):
            bad.append(f"{p.name}: {len(p.answers)} answers of {len(expected)}")
            continue
        for got, want in zip(p.answers[:-1], expected[:-1], strict=True):
            if got != want:
                bad.append(f"{p.name}: request {want.get('id')} answered differently")
        final, want = p.answers[-1].get("result", {}), expected[-1]["result"]
        if final.get("end_reason") != want["end_reason"] or "score" in final:
            bad.append(f"{p.name}: the end of the game is not as played alone: {final}")
        score = want["score"]["total"]
        for when, board in boards:
            row = board.get(p.name)
            if row is None or row["score"] != score:
                got_score = None if row is None else row["score"]
                bad.append(f"{p.name}: score {got_score} {when}, {score} played alone")


def bench(kind: str, n: int, folder: Path, scenario: Any) -> Figures:
    figures = Figures(kind, n)
    players = [Player(i, f"p{i:03d}", plan(i)) for i in range(n)]
    sessions, local, figures.local_cpu_s = local_games(scenario, players)
    with database(kind, folder) as url:
        store = open_store(url)
        try:
            r, host_token = new_round(store, scenario)
        finally:
            store.close()
        port = _free_port()
        server = Server(url, port, folder / f"server-{kind}-1.log")
        try:
            server.wait_ready()
            figures.idle_rss = server.memory("VmRSS")
            cpu0, client0 = server.cpu(), time.process_time()
            figures.wall_s, failures = asyncio.run(round_of(players, port, r.code))
            figures.client_cpu_s = time.process_time() - client0
            figures.failures += failures
            if failures:
                server.stop()
                return figures
            # the games are scored when something reads their score: the host's leaderboard
            read = time.perf_counter()
            before = asyncio.run(standings(port, r.code, host_token))
            figures.board_s = time.perf_counter() - read
            figures.server_cpu_s = server.cpu() - cpu0
            figures.peak_rss = server.memory("VmHWM")
        except BaseException:
            server.stop()
            raise
        server.kill()  # kill -9: no chance to clean up
        restarted = time.perf_counter()
        second = Server(url, port, folder / f"server-{kind}-2.log")
        try:
            ready = threading.Thread(target=second.wait_ready, daemon=True)
            ready.start()
            deadline = restarted + 120
            failures = asyncio.run(_all([come_back(p, port, r.code, deadline) for p in players]))
            figures.failures += failures
            ready.join(30)
            figures.restart_s = max(p.back_at for p in players) - restarted
            figures.start_s = second.ready_s or 0.0
            figures.rebuild_cpu_s = second.cpu()
            after = asyncio.run(standings(port, r.code, host_token)) if not failures else {}
        finally:
            second.stop()
    figures.requests = sum(len(p.latency) for p in players)
    for p in players:
        for op, took in p.latency:
            figures.latency.setdefault(op, []).append(took)
    if not figures.failures:
        check(figures, players, local, [("before the restart", before), ("after it", after)])
        for p, session in zip(players, sessions, strict=True):
            here = session.handle({"id": 99, "op": "observe"})
            if p.back != here:
                figures.failures.append(f"{p.name}: the rebuilt game is not where it was")
    return figures


# ---------------------------------------------------------------------- the report


def _ms(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def report(all_figures: list[Figures]) -> None:
    mib = 1024 * 1024
    n = all_figures[0].players
    print()
    print(f"{SCENARIO}, {n} players at once on loopback, {os.cpu_count()} cores")
    print(
        f"{'db':11} {'round s':>8} {'req/s':>7} {'srv CPU s':>9} {'/game ms':>8} "
        f"{'x local':>7} {'RSS MiB':>13} {'restart s':>12}"
    )
    for f in all_figures:
        per_game = f.server_cpu_s / f.players
        local = f.local_cpu_s / f.players
        print(
            f"{f.db:11} {f.wall_s:8.1f} {f.requests / f.wall_s:7.0f} {f.server_cpu_s:9.1f} "
            f"{1000 * per_game:8.0f} {per_game / local:7.2f} "
            f"{f.idle_rss / mib:5.0f}->{f.peak_rss / mib:<6.0f} "
            f"{f.restart_s:5.1f} ({f.start_s:.1f})"
        )
    print(
        "  local: the same games in one process with AgentSession, "
        + ", ".join(
            f"{1000 * f.local_cpu_s / f.players:.0f} ms CPU a game ({f.db})" for f in all_figures
        )
    )
    print(
        "  RSS: the server's resident memory listening, then its peak (VmHWM); restart: from "
        "the kill to every player's next answer (the new server listening after)"
    )
    print(
        "  server CPU: the round and the host's first leaderboard reading after it, which "
        "scores every game (" + ", ".join(f"{f.board_s:.1f} s ({f.db})" for f in all_figures) + ")"
    )
    print()
    print("latency ms, p50 / p95 / max")
    print(f"{'db':11} " + " ".join(f"{k:>16}" for k in KINDS))
    for f in all_figures:
        cells = []
        for k in KINDS:
            v = f.latency.get(k, [])
            cells.append(f"{_ms(v, 0.5):.0f}/{_ms(v, 0.95):.0f}/{1000 * max(v):.0f}" if v else "-")
        print(f"{f.db:11} " + " ".join(f"{c:>16}" for c in cells))
    for f in all_figures:
        print(
            f"  {f.db}: the players' process used {f.client_cpu_s:.1f} CPU s during the round; "
            f"the restarted server {f.rebuild_cpu_s:.1f} CPU s to start and rebuild "
            f"{f.players} games"
        )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--players", type=int, default=100, help="players at once (default 100)")
    ap.add_argument(
        "--db",
        choices=("sqlite", "postgresql", "all"),
        default="sqlite",
        help="the class database: a SQLite file (default), a PostgreSQL server, or both",
    )
    args = ap.parse_args(argv)
    if args.players < 1:
        ap.error("--players is 1 or more")
    kinds = ("sqlite", "postgresql") if args.db == "all" else (args.db,)
    scenario = load(SCENARIO)
    results = []
    with tempfile.TemporaryDirectory(prefix="chaosgame-bench-") as tmp:
        for kind in kinds:
            print(f"{kind}: {args.players} players ...", flush=True)
            figures = bench(kind, args.players, Path(tmp), scenario)
            if figures.failures:
                print(f"\nFAILED on {kind}: {len(figures.failures)} problems", file=sys.stderr)
                for line in figures.failures[:20]:
                    print(f"  {line}", file=sys.stderr)
                print(
                    "FAILED: the classroom server did not give the games played alone",
                    file=sys.stderr,
                )
                return 1
            results.append(figures)
    report(results)
    print("check: every answer and every score (before and after the restart) as played alone")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""What ``--policy`` names, and one episode of it played and scored.

A built-in policy is one of the strategy players, looked up by name in
:data:`chaosgame.game.strategies.STRATEGIES` (so a player added there is a policy at once);
any other is a user's ``MODULE:CALLABLE`` (:mod:`chaosgame.evaluate.user`).
An episode's result is plain data (:func:`episode`): what the table sums up and ``--json``
writes.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Any

from chaosgame.evaluate.incidents import EvalInputError, Incident

if TYPE_CHECKING:
    from chaosgame.scenario.model import Scenario

STOPPED = "the strategy stopped"
"""How a strategy player's own failure is noted among its refused actions."""


def builtin_names() -> list[str]:
    """The built-in policies: every strategy player, the cheap ones first."""
    from chaosgame.game.strategies import STRATEGIES

    return list(STRATEGIES)


def resolve(text: str) -> str:
    """The policy ``text`` names, checked (``EvalInputError`` says why it cannot be used)."""
    from chaosgame.evaluate import user

    name = text.strip()
    known = builtin_names()
    if name in known:
        return name
    if user.looks_like(name):
        user.load(name)
        return name
    close = difflib.get_close_matches(name, known, n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    raise EvalInputError(
        f"--policy: unknown policy '{name}'; {hint}built-in policies: {', '.join(known)}, "
        "or MODULE:CALLABLE for your own"
    )


def play(policy: str, incident: Incident, scenario: Scenario, seed: int | None) -> dict[str, Any]:
    """Play one episode of ``policy`` on ``scenario`` and score it (see :func:`episode`)."""
    from chaosgame.game.strategies import STRATEGIES, run_strategy

    if policy not in STRATEGIES:
        from chaosgame.evaluate import user

        score, actions, refused, failed = user.play(policy, incident, scenario, seed)
        return episode(incident, scenario, seed, policy, score, actions, refused, failed)

    run = run_strategy(policy, scenario, seed)
    score = run.score().as_dict()
    stopped = [s for s in run.skipped if s.startswith(STOPPED)]
    error = stopped[0].removeprefix(STOPPED).lstrip(": ") if stopped else None
    refused = len(run.skipped) - len(stopped)
    return episode(incident, scenario, seed, policy, score, len(run.actions), refused, error)


def episode(
    incident: Incident,
    scenario: Scenario,
    seed: int | None,
    policy: str,
    score: dict[str, Any],
    actions: int,
    refused: int,
    error: str | None,
) -> dict[str, Any]:
    """One episode as plain data.

    ``diagnosed``: the first hypothesis of the last declaration names the right component
    and kind. ``mitigated``: the SLIs recovered, and held, within the time limit, without
    hiding the symptoms. ``budget_saved``: the error budget (a share of one SLO window's,
    summed over the SLOs) doing nothing burns beyond what the policy burned.
    """
    parts = {p["key"]: p for p in score["parts"]}
    verdicts = parts["diagnosis"]["data"].get("verdicts") or []
    timing = parts["time"]["data"]
    recovered_s = timing.get("player_s")
    mitigated = (
        recovered_s is not None
        and recovered_s <= scenario.time_limit
        and not timing.get("symptom_hiding", False)
    )
    burned = parts["slo"]["data"]["burned"]
    return {
        "incident": incident.label,
        "source": incident.source,
        "scenario": scenario.id,
        "difficulty": incident.difficulty or scenario.difficulty,
        "seed": scenario.seed if seed is None else seed,
        "topics": [str(t) for t in scenario.topics],
        "policy": policy,
        "total": score["total"],
        "grade": score["grade"],
        "points": {k: p["points"] for k, p in parts.items()},
        "diagnosed": bool(verdicts) and verdicts[0] == "exact",
        "mitigated": mitigated,
        "recovered_s": recovered_s,
        "budget_burned": {k: burned[k] for k in ("player", "nothing", "reference")},
        "budget_saved": round(burned["nothing"] - burned["player"], 6),
        "actions": actions,
        "refused": refused,
        "error": error,
        "score": score,
    }

"""A user's policy: ``MODULE:CALLABLE``, a callable that plays one episode on an env.

``MODULE`` is a module Python can import (``mypkg.policies``) or the path of a ``.py``
file; ``CALLABLE`` a function (or any callable) in it, called as ``policy(env)`` once per
episode with a fresh :class:`chaosgame.game.env.IncidentEnv` of the incident::

    def policy(env):
        obs, info = env.reset()
        obs, reward, terminated, truncated, info = env.step({"op": "query", ...})
        ...
        env.step({"op": "end"})

A policy that returns before the game is over has its game ended there; one that raises has
its game ended there too, and the error is counted. Whatever it prints goes to stderr, so
the table on stdout stays clean.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import importlib.util
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chaosgame.evaluate.incidents import EvalInputError, Incident

if TYPE_CHECKING:
    from chaosgame.game.env import IncidentEnv
    from chaosgame.scenario.model import Scenario

UserPolicy = Callable[[Any], Any]

_LOADED: dict[str, UserPolicy] = {}


def looks_like(text: str) -> bool:
    """Whether ``text`` is written ``MODULE:CALLABLE``."""
    module, sep, name = text.rpartition(":")
    return bool(sep and module and name)


def load(spec: str) -> UserPolicy:
    """The callable ``spec`` names (kept once loaded); ``EvalInputError`` says why it cannot
    be used: a module that does not import (its error), no such name, not a callable."""
    found = _LOADED.get(spec)
    if found is not None:
        return found
    module_name, _, attr = spec.rpartition(":")
    path = Path(module_name)
    try:
        if path.suffix == ".py" or path.is_file():
            if not path.is_file():
                raise EvalInputError(f"--policy: no file '{module_name}'")
            digest = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:12]
            unique = f"chaosgame_policy_{digest}"
            loader = importlib.util.spec_from_file_location(unique, path)
            if loader is None or loader.loader is None:
                raise EvalInputError(f"--policy: '{module_name}' is not a Python file")
            module = importlib.util.module_from_spec(loader)
            sys.modules[unique] = module
            loader.loader.exec_module(module)
        else:
            module = importlib.import_module(module_name)
    except EvalInputError:
        raise
    except Exception as exc:  # the user's module: whatever it raises is reported, in one line
        first = str(exc).splitlines()[0] if str(exc) else ""
        raise EvalInputError(
            f"--policy: cannot import '{module_name}': {type(exc).__name__}: {first}"
        ) from None
    policy = getattr(module, attr, None)
    if policy is None:
        raise EvalInputError(f"--policy: '{module_name}' has no '{attr}'")
    if not callable(policy):
        raise EvalInputError(f"--policy: '{module_name}:{attr}' is not callable")
    _LOADED[spec] = policy
    return policy  # type: ignore[no-any-return]


class Recorder:
    """The env a user's policy plays on: an :class:`IncidentEnv` that also keeps the score
    when the game ends, and counts the requests taken and refused."""

    def __init__(self, env: IncidentEnv) -> None:
        self.env = env
        self.score: dict[str, Any] | None = None
        self.started = False
        self.actions = 0
        self.refused = 0

    def reset(
        self, *, seed: int | None = None, options: Mapping[str, Any] | None = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        self.score, self.started, self.actions, self.refused = None, True, 0, 0
        return self.env.reset(seed=seed, options=options)

    def step(
        self, action: Mapping[str, Any]
    ) -> tuple[dict[str, Any], float, bool, bool, dict[str, Any]]:
        obs, reward, terminated, truncated, info = self.env.step(action)
        if "error" in info:
            self.refused += 1
        else:
            self.actions += 1
        if "score" in info:
            self.score = info["score"]
        return obs, reward, terminated, truncated, info

    def __getattr__(self, name: str) -> Any:
        return getattr(self.env, name)


def play(
    spec: str, incident: Incident, scenario: Scenario, seed: int | None
) -> tuple[dict[str, Any], int, int, str | None]:
    """One episode of the user's policy ``spec``: its score, the requests taken and refused,
    and the policy's error (None when it did not fail)."""
    from chaosgame.game.env import IncidentEnv

    policy = load(spec)
    env = Recorder(IncidentEnv(scenario, seed))
    error = None
    try:
        with contextlib.redirect_stdout(sys.stderr):
            policy(env)
    except (Exception, SystemExit) as exc:  # the policy's failure ends its game, not the run
        error = f"{type(exc).__name__}: {exc}"
    if env.score is None:  # it stopped (or failed) before the end: the game ends here
        if not env.started:
            env.reset()
        env.step({"op": "end"})
    assert env.score is not None
    return env.score, env.actions, env.refused, error

"""``chaosgame new NAME``: a commented starting scenario that validates and passes ``check``.

The template is a small, complete incident (a bad deploy behind a gateway, with an innocent
config change as a red herring) so an author starts from something that works and changes it
one step at a time, running ``chaosgame check`` after each.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

TEMPLATE = """\
# yaml-language-server: $schema={schema}
# A new chaosgame scenario. Run `chaosgame validate {file}` after every edit and
# `chaosgame check {file}` when it is ready: check plays it headless and proves the fault
# hurts, the reference solution fixes it, the cause is visible and the red herrings are real.
# Durations may be written 250ms, 30s, 5m, 1h30m; negative times (-2d) lie before the start.
# Every field and its default: docs/authoring.md.

id: {id}
title: "{title}"
summary: >
  One or two sentences for the scenario list (not shown to the player before the debrief).
topics: [deploy-strategies, incident-response]   # 1 to 3 ids from the curriculum
difficulty: easy          # easy, medium, hard or expert
expected_minutes: 10
seed: 1                   # same seed, same incident
duration: 2h              # simulated window; the page comes after the first fault
time_limit: 30m           # play time after the page
briefing: |
  PAGE: orders availability SLO burning fast.
  Customers report errors when they place an order. You are on call for the orders team.

# The fleet. Reuse a shared one with `extends: topologies/shop.yaml` instead, then list only
# the components you change (by name) below.
components:
  - {{name: gateway, kind: gateway, replicas: 2, capacity: 500, service_time: 2ms}}
  - {{name: orders, kind: service, replicas: 3, capacity: 60, service_time: 40ms, version: v2.3.0}}
  - {{name: orders-db, kind: database, replicas: 1, capacity: 600, service_time: 5ms, max_connections: 200}}
  - {{name: search, kind: service, replicas: 2, capacity: 100, service_time: 20ms, version: v1.8.1}}
dependencies:
  - {{from: orders, to: orders-db, calls: 2, timeout: 300ms, pool: 20}}
  - {{from: search, to: orders-db, timeout: 300ms}}
journeys:
  - {{name: order, entry: orders, via: gateway, rate: 80}}
  - {{name: search, entry: search, via: gateway, rate: 50}}
slos:
  - {{journey: order, sli: availability, target: 0.995}}
  - {{journey: search, sli: availability, target: 0.99}}

# The history the player can read in the change timeline.
deploys:
  - {{id: orders-v2.3.0, at: -2d, component: orders, version: v2.3.0}}
  - {{id: orders-v2.4.0, at: 30m, component: orders, version: v2.4.0, duration: 3m, note: "new tax rules"}}
configs:
  - {{id: search-timeout, at: 25m, component: search, key: query_timeout, value: "800ms", previous: "500ms"}}

# What goes wrong (hidden from the player). Kinds: `chaosgame catalog`, or docs/faults.md.
faults:
  - kind: bad-deploy
    target: orders
    version: v2.4.0       # active while the target runs this version: a rollback ends it
    at: 30m
    error_rate: 0.4

# The hidden truth: scoring and the debrief read it; `check` plays the reference solution.
truth:
  root_cause: {{component: orders, kind: bad-deploy}}
  causal_chain:
    - {{component: orders, what: "v2.4.0 fails 40 % of order requests", at: 30m}}
  red_herrings:
    - {{ref: search-timeout, why: "search is healthy; the change only touched its timeout"}}
  reference_solution:
    - {{action: rollback, target: orders}}

debrief:
  summary: >
    The orders deploy at 30 minutes failed a share of requests; rolling back fixed it.
  signals:
    - "orders errors rose as v2.4.0 rolled out"
    - "search stayed healthy, so the config change was not the cause"
  questions:
    - question: "Roll back or roll forward here, and why?"
      topics: [incident-response, deploy-strategies]
      answer: >
        Roll back: the previous version is known good and the rollback is fast; fix forward
        once users are no longer failing.
"""

_ID = re.compile(r"^[a-z][a-z0-9_-]*$")


def render(scenario_id: str, schema: str = "./scenario.schema.json", file: str = "") -> str:
    """The starting scenario text for ``scenario_id``."""
    title = scenario_id.replace("-", " ").replace("_", " ").capitalize()
    return TEMPLATE.format(
        id=scenario_id, title=title, schema=schema, file=file or f"{scenario_id}.yaml"
    )


def write_new(name: str, folder: str | Path = ".", force: bool = False) -> Path:
    """Write ``<folder>/<name>.yaml`` (``name`` may also be a path ending in .yaml)."""
    from chaosgame.scenario.library import scenario_dir

    given = Path(name)
    target = given if given.suffix in (".yaml", ".yml") else Path(folder) / f"{name}.yaml"
    scenario_id = target.stem
    if not _ID.match(scenario_id) or len(scenario_id) > 63:
        raise ValueError(
            f"'{scenario_id}' cannot be a scenario id: use lower-case letters, digits, '-' "
            "and '_', starting with a letter (for example cache-stampede)"
        )
    if target.exists() and not force:
        raise FileExistsError(f"{target} already exists (use --force to overwrite it)")
    try:
        schema_file = scenario_dir() / "scenario.schema.json"
        schema = os.path.relpath(schema_file, target.resolve().parent)
    except (FileNotFoundError, ValueError):
        schema = "./scenario.schema.json"
    if not schema.startswith("."):
        schema = f"./{schema}"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render(scenario_id, schema, str(target)), encoding="utf-8")
    return target

"""An evaluation summed up: the figures per policy and per topic, as data and as a table.

Every figure is a mean over episodes (``chaosgame.evaluate.policies.episode``):

* ``score``: the game's total, 0 to 100;
* ``diagnosed``: the share of episodes whose declared cause was the right component and kind;
* ``mitigated``: the share whose SLIs recovered, and held, within the time limit;
* ``budget_saved``: the error budget doing nothing burns beyond what the policy burned, in
  percent of one SLO window's budget (summed over the incident's SLOs; below 0 when the
  policy did harm);
* ``errors``: episodes where the policy itself failed (the episode is scored as it stood).

An episode counts in the row of every topic its scenario teaches.
"""

from __future__ import annotations

from typing import Any

from chaosgame.scenario.model import TOPICS

COLUMNS = (
    ("episodes", "episodes"),
    ("score", "score"),
    ("diagnosed", "diagnosed"),
    ("mitigated", "mitigated"),
    ("budget_saved", "budget saved"),
    ("errors", "errors"),
)


def figures(episodes: list[dict[str, Any]]) -> dict[str, Any]:
    """The figures of a group of episodes (rounded: the same episodes give the same text)."""
    n = len(episodes)
    if n == 0:
        return {"episodes": 0, "score": None, "diagnosed": None, "mitigated": None,
                "budget_saved": None, "errors": 0}  # fmt: skip

    def mean(values: list[float]) -> float:
        return sum(values) / n

    return {
        "episodes": n,
        "score": round(mean([e["total"] for e in episodes]), 2),
        "diagnosed": round(mean([1.0 if e["diagnosed"] else 0.0 for e in episodes]), 4),
        "mitigated": round(mean([1.0 if e["mitigated"] else 0.0 for e in episodes]), 4),
        "budget_saved": round(100 * mean([e["budget_saved"] for e in episodes]), 2),
        "errors": sum(1 for e in episodes if e["error"]),
    }


def _topic_order(episodes: list[dict[str, Any]]) -> list[str]:
    seen = {t for e in episodes for t in e["topics"]}
    known = [t for t in TOPICS if t in seen]
    return known + sorted(seen - set(known))


def summarise(episodes: list[dict[str, Any]], policies: list[str]) -> dict[str, Any]:
    """Per policy: the figures over every episode, and per topic."""
    out: dict[str, Any] = {}
    for name in policies:
        mine = [e for e in episodes if e["policy"] == name]
        out[name] = {
            "all": figures(mine),
            "topics": {
                t: figures([e for e in mine if t in e["topics"]]) for t in _topic_order(mine)
            },
        }
    return out


def _cell(key: str, value: Any) -> str:
    if value is None:
        return "-"
    if key in ("diagnosed", "mitigated"):
        return f"{100 * value:.0f} %"
    if key == "budget_saved":
        return f"{value:+.1f} %"
    if key == "score":
        return f"{value:.1f}"
    return str(value)


def _rows(first: str, label_rows: list[tuple[str, dict[str, Any]]]) -> list[str]:
    width = max([len(label) for label, _ in label_rows] + [len(first)]) + 2
    widths = [max(len(head), 8) for _, head in COLUMNS]
    head = "".join(f"{h:>{w + 2}}" for (_, h), w in zip(COLUMNS, widths, strict=True))
    lines = [f"{first:<{width}}{head}"]
    for label, figs in label_rows:
        lines.append(
            f"{label:<{width}}"
            + "".join(
                f"{_cell(key, figs[key]):>{w + 2}}"
                for (key, _), w in zip(COLUMNS, widths, strict=True)
            )
        )
    return lines


def table(summary: dict[str, Any]) -> str:
    """The summary as text: one row per policy (or the whole evaluation for one), then the
    rows per topic (for several policies, the mean score per topic and policy)."""
    names = list(summary)
    if len(names) == 1:
        only = summary[names[0]]
        rows = [("all", only["all"])]
        rows += [(f"  topic {t}", figs) for t, figs in only["topics"].items()]
        return "\n".join(_rows(f"policy {names[0]}", rows))
    lines = _rows("policy", [(n, summary[n]["all"]) for n in names])
    topics = list(dict.fromkeys(t for n in names for t in summary[n]["topics"]))
    if not topics:
        return "\n".join(lines)
    counts = {
        t: max(summary[n]["topics"].get(t, {}).get("episodes", 0) for n in names) for t in topics
    }
    labels = {t: f"{t} ({counts[t]})" for t in topics}
    width = max([len(x) for x in labels.values()] + [len("mean score by topic")]) + 2
    cols = [max(len(n), 6) for n in names]
    head = "".join(f"{n:>{w + 2}}" for n, w in zip(names, cols, strict=True))
    lines += ["", f"{'mean score by topic':<{width}}{head}"]
    for t in topics:
        cells = []
        for n, w in zip(names, cols, strict=True):
            figs = summary[n]["topics"].get(t)
            cells.append(f"{_cell('score', figs['score'] if figs else None):>{w + 2}}")
        lines.append(f"{labels[t]:<{width}}" + "".join(cells))
    return "\n".join(lines)

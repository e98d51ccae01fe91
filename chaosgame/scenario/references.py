"""References between the parts of a scenario, checked on the raw data.

The model checks references too, but only once every field is valid; checking the plain data
as well lets the loader report an edge to an unknown component in the same run as a mistyped
key. Everything here tolerates malformed data (a list where a mapping was expected, a number
where a name was): what it cannot read it skips, since field validation reports that.

Beyond the model's checks it also verifies that red herrings name a real deploy, config change,
flag or piece of authored noise, that reference mitigations act on the kind of component they take, and that
``disable-retries`` names a dependency the target really calls.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterator

from chaosgame.scenario.actions import MITIGATIONS
from chaosgame.scenario.faults import FAULT_KINDS
from chaosgame.scenario.party_actions import PARTY_TARGETS
from chaosgame.scenario.steering import REGION_OR_COMPONENT

Loc = tuple[int | str, ...]
Raw = dict[str, object]
"""A mapping of plain scenario data, as the YAML loader builds it (values unchecked)."""
SHOWN = 12
"""How many known names a message lists."""


def suggest(name: str, known: list[str], what: str) -> str:
    """``; did you mean 'x'?`` and/or the known names, for a message."""
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    shown = sorted(known)
    listed = ", ".join(shown[:SHOWN]) + (
        f" and {len(shown) - SHOWN} more" if len(shown) > SHOWN else ""
    )
    out = f"; did you mean '{close[0]}'?" if close else ""
    if not listed:
        return out + f" (there are no {what}s)"
    return out + f" (known {what}s: {listed})"


def _items(data: object, key: str) -> Iterator[tuple[int, Raw]]:
    value = data.get(key) if isinstance(data, dict) else None
    if isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, dict):
                yield i, item


def _names(data: object, key: str) -> dict[str, None]:
    """The names of a list's entries, in order (a dict: looking one up costs the same for ten
    names or ten thousand)."""
    return {
        name: None for _, item in _items(data, key) if isinstance(name := item.get("name"), str)
    }


class _Checker:
    def __init__(self, data: Raw) -> None:
        self.data = data
        self.out: list[tuple[Loc, str]] = []
        self.comps: dict[str, Raw] = {}
        for _, item in _items(data, "components"):
            if isinstance(name := item.get("name"), str):
                self.comps.setdefault(name, item)
        self.names = dict.fromkeys(self.comps)
        self.journeys = _names(data, "journeys")
        self.flags = _names(data, "flags")
        self.regions = _names(data, "regions")
        self.clusters = _names(data, "clusters")
        tenants = _names(data, "tenants")
        self.tenants = tenants if "tenants" in data else {"all": None}

    def ref(self, loc: Loc, value: object, known: Collection[str], what: str) -> None:
        if isinstance(value, str) and value not in known:
            where = _text(loc)
            self.out.append(
                (loc, f"{where}: unknown {what} '{value}'{suggest(value, list(known), what)}")
            )

    def refs(self, loc: Loc, values: object, known: Collection[str], what: str) -> None:
        if isinstance(values, list):
            for j, v in enumerate(values):
                self.ref((*loc, j), v, known, what)

    def duplicates(self, key: str) -> None:
        seen: dict[str, int] = {}
        for i, item in _items(self.data, key):
            name = item.get("name")
            if not isinstance(name, str):
                continue
            if name in seen:
                self.out.append(
                    (
                        (key, i, "name"),
                        f"{key}[{i}].name: '{name}' is already used by {key}[{seen[name]}]",
                    )
                )
            else:
                seen[name] = i

    def run(self) -> list[tuple[Loc, str]]:
        d = self.data
        for key in ("components", "journeys", "regions", "clusters", "flags", "tenants"):
            self.duplicates(key)
        for i, c in _items(d, "components"):
            self.ref(("components", i, "region"), c.get("region"), self.regions, "region")
            self.ref(("components", i, "cluster"), c.get("cluster"), self.clusters, "cluster")
            self.ref(("components", i, "replica_of"), c.get("replica_of"), self.names, "component")
        for i, cl in _items(d, "clusters"):
            self.ref(("clusters", i, "region"), cl.get("region"), self.regions, "region")
        for i, dep in _items(d, "dependencies"):
            self.ref(("dependencies", i, "from"), dep.get("from"), self.names, "component")
            self.ref(("dependencies", i, "to"), dep.get("to"), self.names, "component")
            self.refs(
                ("dependencies", i, "journeys"), dep.get("journeys"), self.journeys, "journey"
            )
            if isinstance(dep.get("from"), str) and dep.get("from") == dep.get("to"):
                self.out.append(
                    (("dependencies", i), f"dependencies[{i}]: '{dep['from']}' cannot call itself")
                )
        for i, j in _items(d, "journeys"):
            self.ref(("journeys", i, "entry"), j.get("entry"), self.names, "component")
            self.ref(("journeys", i, "via"), j.get("via"), self.names, "component")
        self.shares()
        for i, s in _items(d, "slos"):
            self.ref(("slos", i, "journey"), s.get("journey"), self.journeys, "journey")
        for key in ("deploys", "configs"):
            for i, item in _items(d, key):
                self.ref((key, i, "component"), item.get("component"), self.names, "component")
        for i, fl in _items(d, "flags"):
            self.refs(("flags", i, "components"), fl.get("components"), self.names, "component")
        for i, f in _items(d, "faults"):
            self.fault(i, f)
        self.truth(d.get("truth"))
        return self.out

    def shares(self) -> None:
        shares = [t.get("share") for _, t in _items(self.data, "tenants")]
        numbers = [
            float(s) for s in shares if isinstance(s, int | float) and not isinstance(s, bool)
        ]
        if shares and len(numbers) == len(shares):
            total = sum(numbers)
            if abs(total - 1.0) > 1e-6:
                self.out.append((("tenants",), f"tenants: shares add up to {total:g}, not 1"))

    def fault(self, i: int, f: Raw) -> None:
        loc: Loc = ("faults", i)
        self.ref((*loc, "target"), f.get("target"), self.names, "component")
        kind_name, target_name = f.get("kind"), f.get("target")
        info = FAULT_KINDS.get(kind_name) if isinstance(kind_name, str) else None
        target = self.comps.get(target_name) if isinstance(target_name, str) else None
        if info is not None and target is not None and info.targets:
            kind = target.get("kind")
            if isinstance(kind, str) and kind not in info.targets:
                self.out.append(
                    (
                        (*loc, "target"),
                        f"faults[{i}].target: a {info.kind} fault cannot target '{f['target']}', "
                        f"a {kind}; it takes {', '.join(info.targets)}",
                    )
                )
        self.refs((*loc, "journeys"), f.get("journeys"), self.journeys, "journey")
        self.refs((*loc, "tenants"), f.get("tenants"), self.tenants, "tenant")
        self.ref((*loc, "journey"), f.get("journey"), self.journeys, "journey")
        self.ref((*loc, "flag"), f.get("flag"), self.flags, "flag")
        when = f.get("when")
        if isinstance(when, dict):
            self.ref((*loc, "when", "flag"), when.get("flag"), self.flags, "flag")

    def truth(self, truth: object) -> None:
        if not isinstance(truth, dict):
            return
        rc = truth.get("root_cause")
        if isinstance(rc, dict):
            self.ref(
                ("truth", "root_cause", "component"), rc.get("component"), self.names, "component"
            )
            kinds = [*FAULT_KINDS, "no-fault"]
            self.ref(("truth", "root_cause", "kind"), rc.get("kind"), kinds, "fault kind")
        for i, step in _items(truth, "causal_chain"):
            self.ref(
                ("truth", "causal_chain", i, "component"),
                step.get("component"),
                self.names,
                "component",
            )
        for i, m in _items(truth, "reference_solution"):
            self.mitigation(i, m)
        events = [
            ident
            for k in ("deploys", "configs")
            for _, x in _items(self.data, k)
            if isinstance(ident := x.get("id"), str)
        ]
        events += [f"flag:{n}" for n in self.flags]
        noise = self.data.get("noise")
        for key, prefix, field in (
            ("alerts", "alert", "name"),
            ("logs", "log", "id"),
            ("slow_queries", "slow-query", "id"),
            ("metrics", "metric", "name"),
        ):
            events += [
                f"{prefix}:{x[field]}"
                for _, x in _items(noise, key)
                if isinstance(x.get(field), str)
            ]
        for i, h in _items(truth, "red_herrings"):
            self.ref(("truth", "red_herrings", i, "ref"), h.get("ref"), events, "event")

    def mitigation(self, i: int, m: Raw) -> None:
        loc: Loc = ("truth", "reference_solution", i, "target")
        action = m.get("action")
        info = MITIGATIONS.get(action) if isinstance(action, str) else None
        if info is None:
            return
        target = m.get("target")
        if info.targets == ("flag",):
            self.ref(loc, target, self.flags, "flag")
            return
        if info.targets == ("cluster",):
            self.ref(loc, target, self.clusters, "cluster")
            return
        if info.targets == ("region",):
            self.ref(loc, target, self.regions, "region")
            return
        if info.targets[0] in PARTY_TARGETS:
            what = info.targets[0]
            key = {"party": "parties", "pipeline": "pipelines", "journey": "journeys"}[what]
            named = [str(x.get("name")) for _, x in _items(self.data, key)]
            self.ref(loc, target, named, what)
            return
        if action in REGION_OR_COMPONENT and target in self.regions:
            return
        self.ref(loc, target, self.names, "component")
        comp = self.comps.get(target) if isinstance(target, str) else None
        kind = comp.get("kind") if comp is not None else None
        if isinstance(kind, str) and info.targets and kind not in info.targets:
            self.out.append(
                (
                    loc,
                    f"{_text(loc)}: {info.action} cannot act on '{target}', a {kind}; it takes {', '.join(info.targets)}",
                )
            )
        to = m.get("to")
        if isinstance(to, str) and isinstance(target, str) and comp is not None:
            callees = sorted(
                str(dep.get("to"))
                for _, dep in _items(self.data, "dependencies")
                if dep.get("from") == target and isinstance(dep.get("to"), str)
            )
            routed = [
                j.get("entry") for _, j in _items(self.data, "journeys") if j.get("via") == target
            ]
            if to not in callees and to not in routed:
                self.out.append(
                    (
                        (*loc[:-1], "to"),
                        f"{_text((*loc[:-1], 'to'))}: '{target}' does not call '{to}' "
                        f"(it calls: {', '.join(callees) or 'nothing'})",
                    )
                )


def _text(loc: Loc) -> str:
    from chaosgame.scenario.errors import loc_text

    return loc_text(loc)


def check_raw(data: object) -> list[tuple[Loc, str]]:
    """Every broken reference in plain scenario data, as (data path, message)."""
    if not isinstance(data, dict):
        return []
    return _Checker(data).run()

"""Ids and titles that give the cause away.

A scenario's id and title are shown to the player before the incident starts (the list, the
briefing, the run history), so they must describe what the on-call engineer sees at the page
(a symptom, a service, a moment) and never what caused it. ``chaosgame validate`` warns about
an id or title that

* names a fault kind of the catalogue, as words (``memory-leak`` is "memory leak") or by one of
  the everyday names in :data:`CAUSE_WORDS` (``oomkilled``, ``cert``, ``split brain``), or
* names the root-cause component together with a word of :data:`KIND_WORDS` (``search`` and
  ``flag``, ``orders-db`` and ``lock``).

These are warnings, not errors: an author may have a reason, and a word list cannot read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chaosgame.scenario.model import Scenario
    from chaosgame.scenario.yamlread import Problem

CAUSE_WORDS: dict[str, tuple[str, ...]] = {
    "bad-deploy": ("bad release", "broken release", "bad build", "buggy release"),
    "latency-regression": ("slow release", "slow build", "slow version", "missing index"),
    "memory-leak": ("leak", "leaky", "leaking", "oom", "oomkilled", "oom killed", "out of memory"),
    "traffic-spike": ("flash crowd", "traffic surge"),
    "dependency-outage": ("provider down", "dependency down", "upstream down", "upstream outage"),
    "cache-flush": ("cold cache", "cache flushed", "cache wiped", "cache cleared", "empty cache"),
    "expensive-flag": ("flag", "feature flag", "regex", "catastrophic backtracking"),
    "bad-canary": ("canary", "canaries"),
    "version-skew": ("skew", "mixed versions", "mixed fleet", "stalled rollout"),
    "blue-green-cold-cache": ("blue green", "cold cache", "green stack"),
    "bad-config": ("bad config", "broken config", "config push", "config sync", "misconfigured"),
    "broken-flag": ("flag", "feature flag", "zombie flag"),
    "dependency-upgrade": ("library upgrade", "client upgrade", "library bump"),
    "mutable-tag": ("mutable", "latest tag", "image tag"),
    "skipped-validation": ("fast track", "skipped tests", "untested release", "skipped stage"),
    "config-drift": ("drift", "drifted"),
    "iac-shrank-pool": ("terraform", "iac", "pool shrink", "pool shrank", "smaller pool"),
    "iac-removed-rule": ("terraform", "iac", "security group", "firewall rule", "network rule"),
    "iac-overwrote-hotfix": ("terraform", "iac", "hotfix overwritten", "hotfix reverted"),
    "oom-working-set": ("oom", "oomkilled", "oom killed", "out of memory", "memory limit"),
    "cpu-throttling": ("throttling", "throttled", "cpu limit", "cfs quota"),
    "image-pull-failure": ("image pull", "imagepullbackoff", "errimagepull", "registry down"),
    "cluster-full": ("no capacity", "cluster capacity", "unschedulable"),
    "strict-liveness-probe": ("liveness", "probe", "health check", "healthcheck", "death spiral"),
    "readiness-never-passes": ("readiness", "probe", "health check", "healthcheck"),
    "autoscaler-capped": ("autoscaler", "hpa", "max replicas", "replica cap"),
    "autoscaler-wrong-metric": ("autoscaler", "hpa", "wrong metric", "scaling runaway"),
    "stale-dns": ("dns", "stale endpoints", "cached endpoints", "dead endpoints"),
    "node-failure": ("node down", "node died", "node lost", "decommission", "decommissioned"),
    "migration-lock": ("lock", "alter table", "table lock", "migration", "locked table"),
    "backfill-saturation": ("backfill", "bulk load", "bulk write"),
    "incompatible-schema": ("schema", "schema change"),
    "slow-query-plan": ("plan flip", "query plan", "bad plan", "planner", "plan regression"),
    "pool-exhaustion": ("pool exhausted", "connection pool", "connection leak"),
    "replication-lag": ("replica lag", "lagging replica", "stale replica"),
    "hot-shard": ("hot key", "hot tenant", "hot partition"),
    "disk-full": ("out of disk", "no space left", "disk filled"),
    "database-crash": ("db crash", "db deleted", "database deleted", "database is gone", "db gone"),
    "retry-storm": ("retry", "retries", "retry loop", "retry amplification"),
    "cache-stampede": ("stampede", "dogpile", "ttl expiry"),
    "thundering-herd": ("herd", "reconnect storm", "connection storm", "reconnection storm"),
    "poison-message": ("poison", "poison pill"),
    "queue-backlog": ("backlog", "consumer lag"),
    "request-starvation": ("starvation", "starved", "noisy neighbour", "noisy neighbor"),
    "metastable-overload": ("metastable", "death spiral"),
    "network-latency": ("slow network", "network slow"),
    "packet-loss": ("dropped packets", "packets dropped"),
    "region-partition": ("partition", "network partition", "partitioned", "link down"),
    "stale-failover": ("failover", "failed over", "stale replica", "lagging replica"),
    "split-brain": ("two primaries", "diverged primaries", "dual primary"),
    "fd-exhaustion": ("file descriptors", "too many open files", "port exhaustion"),
    "clock-skew": ("clock drift", "skew"),
    "gc-pauses": ("gc", "garbage collection", "stop the world"),
    "cert-expired": ("cert", "certs", "certificate", "certificate expired", "tls", "mtls", "ssl"),
    "secret-not-reloaded": ("rotated secret", "secret rotation", "stale credential"),
    "credential-stuffing": ("stuffing", "brute force", "botnet", "bot attack"),
    "waf-blocks-users": ("waf", "waf rule"),
    "revoked-access": ("revoked", "access revoked", "iam"),
    "third-party-slow": ("provider slow", "vendor slow", "provider down"),
    "third-party-rate-limit": ("quota", "rate limit", "rate limited", "429"),
    "no-fault": ("false alarm", "false positive", "nothing wrong", "nothing broken"),
}
"""Everyday names of each fault kind, besides the kind's own words (which always count):
a title or id that contains one names a cause. A phrase matches whole words, in order, with
a plural ``s`` allowed on each word."""

KIND_WORDS = frozenset(
    {
        "deploy",
        "apply",
        "autoscaler",
        "backfill",
        "bundle",
        "cache",
        "canary",
        "cert",
        "certificate",
        "config",
        "configuration",
        "credential",
        "drift",
        "failover",
        "flag",
        "flush",
        "gc",
        "hpa",
        "index",
        "leak",
        "liveness",
        "lock",
        "mesh",
        "migration",
        "oom",
        "oomkilled",
        "partition",
        "plan",
        "pool",
        "probe",
        "quota",
        "readiness",
        "release",
        "replica",
        "replication",
        "retry",
        "retries",
        "rollout",
        "rule",
        "schema",
        "secret",
        "selector",
        "shard",
        "skew",
        "stampede",
        "storm",
        "tag",
        "terraform",
        "throttling",
        "tls",
        "upgrade",
        "waf",
    }
)
"""Words that name a kind of cause when the root-cause component is named beside them
(``search-flag-...``, ``orders-db lock``); alone they are ordinary words of a page."""

GENERIC_SUFFIXES = frozenset(
    {
        "api",
        "app",
        "agent",
        "backend",
        "cache",
        "connector",
        "control",
        "db",
        "engine",
        "proxy",
        "server",
        "service",
        "svc",
        "web",
        "worker",
    }
)
"""Last words of a component name that a title drops (``orders-db`` is "orders")."""

_WORD = re.compile(r"[a-z0-9]+")


def words(text: str) -> list[str]:
    """The lower-case words of ``text`` (``'s`` dropped, any other punctuation a break)."""
    return _WORD.findall(re.sub(r"['’]s\b", "", text.lower()))


def _same(word: str, want: str) -> bool:
    return word in (want, f"{want}s", f"{want}es") or (want.endswith("s") and word == want[:-1])


def _find(text: list[str], phrase: list[str]) -> int | None:
    """Where ``phrase`` starts in ``text`` (whole words, plurals allowed), or None."""
    n = len(phrase)
    for i in range(len(text) - n + 1):
        if all(_same(text[i + j], phrase[j]) for j in range(n)):
            return i
    return None


def cause_phrases() -> dict[str, tuple[str, ...]]:
    """Every phrase that names a fault kind: the kind's own words, then its everyday names."""
    from chaosgame.scenario.faults import FAULT_KINDS

    kinds = [*FAULT_KINDS, "no-fault"]
    return {k: (k.replace("-", " "), *CAUSE_WORDS.get(k, ())) for k in kinds}


@dataclass(frozen=True)
class Giveaway:
    """Words of an id or title that name the cause."""

    field: str
    """``id`` or ``title``."""
    found: tuple[str, ...]
    """The words that give it away, as written in the field."""
    why: str

    def text(self) -> str:
        """``'retry storm' (the fault kind retry-storm)``."""
        return f"'{' '.join(self.found)}' ({self.why})"


def giveaways_in(field: str, text: str, component: str | None) -> list[Giveaway]:
    """What in ``text`` (an id or title) names a cause: fault kinds, and the root-cause
    ``component`` beside a kind word."""
    said = words(text)
    matches = []
    for kind, phrases in cause_phrases().items():
        for phrase in phrases:
            want = words(phrase)
            at = _find(said, want)
            if at is not None:
                matches.append((-len(want), at, kind))
    out: list[Giveaway] = []
    covered: set[int] = set()
    for length, at, kind in sorted(matches):  # the longest phrase first
        span = set(range(at, at - length))
        if not span & covered:
            covered |= span
            out.append(Giveaway(field, tuple(said[at : at - length]), f"the fault kind {kind}"))
    if component:
        out += _component_with_kind_word(field, said, component)
    return out


def _component_with_kind_word(field: str, said: list[str], component: str) -> list[Giveaway]:
    name = words(component)
    forms = [name]
    if len(name) > 1 and name[-1] in GENERIC_SUFFIXES and len(name[0]) >= 3:
        forms.append(name[:-1])
    for form in forms:
        at = _find(said, form)
        if at is None:
            continue
        taken = range(at, at + len(form))
        hits = [w for i, w in enumerate(said) if i not in taken and w in KIND_WORDS]
        if hits:
            found = (*said[at : at + len(form)], *hits)
            why = f"the root-cause component {component} beside '{hits[0]}'"
            return [Giveaway(field, found, why)]
    return []


def giveaways(sc: Scenario) -> list[Giveaway]:
    """What in the scenario's id and title names its cause (nothing for a good name)."""
    component = sc.truth.root_cause.component
    return giveaways_in("id", sc.id, component) + giveaways_in("title", sc.title, component)


def naming_warnings(sc: Scenario, path: str | Path) -> list[Problem]:
    """``validate``'s warnings about ``sc`` (read from ``path``), placed at the field."""
    from chaosgame.scenario.yamlread import Problem, file_marks

    found = giveaways(sc)
    if not found:
        return []
    marks = file_marks(path)
    out = []
    for field in ("id", "title"):
        mine = [g for g in found if g.field == field]
        if not mine:
            continue
        where, line, col = marks.get((field,), (str(path), 1, 1))
        said = "; ".join(g.text() for g in mine)
        message = (
            f"warning: the {field} names the cause: {said}. Players read it before they "
            "start: name the scenario by its symptom or its service, as the page shows it "
            "(such as 'checkout-errors-after-lunch' or 'Orders latency climbing')"
        )
        out.append(Problem(where, line, col, message))
    return out

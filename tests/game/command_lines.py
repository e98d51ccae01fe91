"""A seeded generator of console lines built from the command language's own grammar.

Lines are made of the real verbs, selectors, filters, PromQL functions and options, with
hostile parts mixed in: numbers such as ``1e400``, ``nan``, ``-0`` and huge integers, unicode,
control characters, unbalanced quotes and braces, and small mutations of a whole line.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence

NUMBERS = (
    "0",
    "1",
    "-1",
    "-0",
    "0.5",
    "2",
    "5",
    "1e400",
    "-1e400",
    "1e308",
    "1e-400",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "Inf",
    "99999999999999999999999999999999999999",
    "18446744073709551617",
    "1_000",
    "0x10",
    ".5",
    "5.",
    "1e",
    "",
)
DURATIONS = (
    "5m",
    "1h",
    "1d",
    "30s",
    "10s",
    "1h30m",
    "500ms",
    "0",
    "0s",
    "0ms",
    "1ms",
    "-5m",
    "1e12d",
    "1000000000000d",
    "99999999999999999999999d",
    "5x",
    "m",
    "",
    "1.5h",
    "nan",
    "inf",
    "1e400",
    "7d",
    "365d",
)
UNICODE = ("ü", "日本語", "\u202e", "🔥", "\u00a0", "\t", "Ω", "\u0301", "\\", "\\\\", "\x7f")
METRICS = (
    "up",
    "http_requests_total",
    "http_request_duration_seconds_bucket",
    "http_request_duration_seconds",
    "cpu_usage_ratio",
    "memory_working_set_bytes",
    "client_requests_total",
    "queue_depth",
    "nope_total",
    "nan",
    "inf",
)
LABELS = ("service", "code", "le", "quantile", "region", "endpoint", "version", "target", "x")
RANGE_FNS = (
    "rate",
    "irate",
    "increase",
    "avg_over_time",
    "max_over_time",
    "min_over_time",
    "sum_over_time",
    "count_over_time",
    "last_over_time",
)
AGGS = ("sum", "avg", "max", "min", "count")
REGEXES = (
    "timeout",
    "(.*a){25}",
    "(a+)+$",
    "(a|aa)*b",
    "attempt [23]/4",
    "(?i)error",
    r"\d{4}ms",
    r"(a)\1",
    "(?=x)",
    "(?<=x)y",
    "(?!x)",
    "[",
    "(",
    ")",
    "*",
    "a{1001}",
    "x{2,1}",
    r"\Z",
    r"\p{Greek}",
    "",
    ".*",
    "^$",
    "5..",
    ".+",
)
NEEDLES = ("timeout", "error", "", " ", '\\"', "a1", "7", "日本", "retry", "x" * 300)
OPTIONS = ("since", "until", "step", "limit", "page", "bogus", "for", "kind", "l")
VERBS = (
    "q",
    "query",
    "logs",
    "traces",
    "trace",
    "pods",
    "alerts",
    "kubectl",
    "map",
    "slo",
    "changes",
    "events",
    "metric",
    "metrics",
    "do",
    "wait",
    "declare",
    "help",
    "?",
    "actions",
    "promql",
    "get",
    "QUERY",
    "Logs",
    "frobnicate",
)
VIEW_METRICS = ("errors", "rps", "latency_p99", "latency_p7", "memory", "cpu", "nope", "")


class Lines:
    """Command lines for one scenario's components, drawn from ``random.Random(seed)``."""

    def __init__(self, seed: int, components: Sequence[str], mitigations: Sequence[str]) -> None:
        self.rng = random.Random(seed)
        self.components = (*components, "nope", "", "ü", "a" * 200)
        self.mitigations = (*mitigations, "nope", "")

    # ------------------------------------------------------------ pieces
    def pick(self, items: Sequence[str]) -> str:
        return self.rng.choice(items)

    def maybe(self, p: float = 0.5) -> bool:
        return self.rng.random() < p

    def number(self) -> str:
        return self.pick(NUMBERS) if self.maybe(0.7) else str(self.rng.randint(-(10**30), 10**30))

    def duration(self) -> str:
        return self.pick(DURATIONS)

    def word(self) -> str:
        kind = self.rng.randrange(5)
        if kind == 0:
            return self.pick(self.components)
        if kind == 1:
            return self.pick(UNICODE)
        if kind == 2:
            return self.number()
        if kind == 3:
            return self.duration()
        return self.pick(VERBS)

    def quoted(self, text: str) -> str:
        q = self.pick(('"', '"', "`", "'", ""))
        close = q if self.maybe(0.9) else ""
        return f"{q}{text}{close}"

    def options(self) -> str:
        out = []
        for _ in range(self.rng.randrange(3)):
            name = self.pick(OPTIONS)
            value = (
                self.duration()
                if name in ("since", "until", "step")
                else self.number()
                if name in ("limit", "page")
                else self.word()
            )
            out.append(f"--{name}" if self.maybe(0.1) else f"--{name}={value}")
        return (" " + " ".join(out)) if out else ""

    def matcher(self, labels: Sequence[str]) -> str:
        label = self.pick(labels)
        op = self.pick(("=", "!=", "=~", "!~", "==", ""))
        if op in ("=~", "!~"):
            value = self.pick(REGEXES)
        elif label == "service":
            value = self.pick(self.components)
        else:
            value = self.pick(("500", "5..", "error", "0.99", "+Inf", "", "ü"))
        return f"{label}{op}{self.quoted(value)}"

    def selector(self, labels: Sequence[str]) -> str:
        parts = [self.matcher(labels) for _ in range(self.rng.randrange(3))]
        close = "}" if self.maybe(0.9) else ""
        return "{" + self.pick((",", ", ", ",,")).join(parts) + close

    # ------------------------------------------------------------ queries
    def logql(self) -> str:
        out = self.selector(("service", "level", "kind", "region", "app", "trace_id"))
        for _ in range(self.rng.randrange(4)):
            op = self.pick(("|=", "!=", "|~", "!~", "|", "| json", "| logfmt", "|>"))
            if op in ("|~", "!~"):
                out += f" {op} {self.quoted(self.pick(REGEXES))}"
            elif op == "|":
                label = self.pick(("level", "trace_id", "service", "bogus"))
                out += f' | {label}="{self.pick(("error", "warn", "abc", ""))}"'
            elif op in ("|=", "!="):
                out += f" {op} {self.quoted(self.pick(NEEDLES))}"
            else:
                out += f" {op}"
        return out

    def promql(self, depth: int = 0) -> str:
        kind = self.rng.randrange(9 if depth < 3 else 3)
        if kind == 0:
            return self.number()
        if kind in (1, 2):
            name = self.pick(METRICS)
            sel = self.selector(LABELS) if self.maybe(0.6) else ""
            return name + sel + (f" offset {self.duration()}" if self.maybe(0.1) else "")
        if kind == 3:
            name = self.pick(METRICS) + (self.selector(LABELS) if self.maybe(0.4) else "")
            fn = self.pick(RANGE_FNS)
            return f"{fn}({name}[{self.duration()}])"
        if kind == 4:
            inner = self.promql(depth + 1)
            agg = self.pick(AGGS)
            grouping = self.pick(("", " by (service)", " without (code)", " by ()", " by (le)"))
            return f"{agg}{grouping} ({inner})"
        if kind == 5:
            return f"{self.pick(('topk', 'bottomk'))}({self.number()}, {self.promql(depth + 1)})"
        if kind == 6:
            fn = self.pick(("quantile_over_time", "histogram_quantile", "clamp_min", "clamp_max"))
            if fn == "quantile_over_time":
                return f"{fn}({self.number()}, {self.pick(METRICS)}[{self.duration()}])"
            if fn == "histogram_quantile":
                return f"{fn}({self.number()}, {self.promql(depth + 1)})"
            return f"{fn}({self.promql(depth + 1)}, {self.number()})"
        if kind == 7:
            op = self.pick(("+", "-", "*", "/", "%", ">", "<", "==", "!=", ">=", "<="))
            return f"{self.promql(depth + 1)} {op} {self.promql(depth + 1)}"
        return f"({self.promql(depth + 1)}" + (")" if self.maybe(0.9) else "")

    # ------------------------------------------------------------ lines
    def line(self) -> str:
        verb = self.pick(VERBS)
        if verb in ("q", "query", "promql"):
            text = f"{verb} {self.promql()}{self.options()}"
        elif verb in ("logs", "Logs"):
            text = f"{verb} {self.logql() if self.maybe(0.9) else ''}{self.options()}"
        elif verb == "traces":
            filters = [
                f"{self.pick(('service', 'status', 'min_duration', 'endpoint', 'x'))}="
                f"{self.pick((*self.components, 'error', 'ok', self.duration()))}"
                for _ in range(self.rng.randrange(4))
            ]
            text = f"traces {' '.join(filters)}{self.options()}"
        elif verb == "trace":
            text = (
                f"trace {self.pick(('4bf92f3577b34da6a3ce929d0e0e4736', '', 'zz', self.number()))}"
            )
        elif verb in ("pods", "events", "kubectl", "get"):
            extra = " ".join(self.word() for _ in range(self.rng.randrange(4)))
            if verb == "kubectl":
                extra = f"get {self.pick(('pods', 'events', 'nodes', ''))} {extra}"
            text = f"{verb} {extra}{self.options()}"
        elif verb == "metric":
            parts = [self.pick(self.components), self.pick(VIEW_METRICS), self.duration()]
            text = "metric " + " ".join(parts[: self.rng.randrange(4)])
        elif verb == "do":
            params = " ".join(
                f"{self.pick(('replicas', 'to', 'percent', 'version', 'x', ''))}={self.number()}"
                for _ in range(self.rng.randrange(3))
            )
            text = f"do {self.pick(self.mitigations)} {self.pick(self.components)} {params}"
        elif verb == "wait":
            text = f"wait {self.duration() if self.maybe(0.8) else self.number()}"
        elif verb == "declare":
            text = (
                f"declare {self.pick(self.components)} "
                f"{self.pick(('bad-deploy', 'memory-leak', 'nope', ''))} {self.number()}"
            )
        elif verb in ("map", "slo", "changes", "help", "?", "actions", "metrics", "alerts"):
            text = verb + (f" {self.word()}" if self.maybe(0.3) else "")
        elif self.maybe(0.5):
            text = self.logql() + self.options()
        else:
            text = " ".join(self.word() for _ in range(self.rng.randrange(1, 5)))
        if self.maybe(0.15):
            text = self.mutate(text)
        return text

    def mutate(self, text: str) -> str:
        chars = list(text)
        for _ in range(self.rng.randrange(1, 4)):
            where = self.rng.randrange(len(chars) + 1)
            how = self.rng.randrange(3)
            if how == 0 and chars:
                del chars[min(where, len(chars) - 1)]
            elif how == 1:
                chars.insert(where, self.pick(('"', "{", "}", "(", ")", "[", "]", "|", "=", "'")))
            else:
                chars.insert(where, self.pick(UNICODE))
        return "".join(chars)

    def __iter__(self) -> Iterator[str]:
        while True:
            yield self.line()

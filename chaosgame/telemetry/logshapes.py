"""What each kind of log line says, per language and format (the templates of ``logs.py``)."""

from __future__ import annotations

from collections.abc import Sequence

from chaosgame.telemetry.logtemplates import DIGITS, HEX, POD_ID, TS, Field, Seg

MS = Field("ms", DIGITS, (1, 20))
N = Field("n", DIGITS, (1, 20))
TRACE = Field("trace", HEX, (32, 32))
_D2 = Field("d2", DIGITS, (2, 2))


def stamp(fmt: str, lang: str) -> Field:
    """The timestamp that starts a line: a date to the second, a separator, milliseconds."""
    return STAMPS.get((fmt, lang)) or _stamp(fmt, lang)


def _stamp(fmt: str, lang: str) -> Field:
    text = fmt == "text"
    sep = "," if text and lang == "python" else "."
    suffix = "" if text and lang in ("java", "python") else "Z"
    year = Field("year", DIGITS, (1, 4))
    day = "T" if suffix else " "
    date = Field("date", parts=(year, "-", _D2, "-", _D2, day, _D2, ":", _D2, ":", _D2))
    return Field("ts", TS, (19, 24), parts=(date, sep, Field("milli", DIGITS, (3, 3)), suffix))


def pod(name: str) -> Field:
    """A pod name of component ``name``: ``name-<10 hex>-<5 characters>`` (any version)."""
    return Field(
        "pod", parts=(f"{name}-", Field("rs", HEX, (10, 10)), "-", Field("id", POD_ID, (5, 5)))
    )


LANGUAGES = ("go", "java", "python", "node", "ruby", "rust", "other")
STAMPS = {(f, lang): _stamp(f, lang) for f in ("text", "json") for lang in LANGUAGES}
"""The timestamp field of each format and language (one object each, shared by templates)."""

TIMEOUT: dict[str, list[Seg]] = {
    "java": [
        "java.net.SocketTimeoutException: Read timed out calling http://{t}:8080 after {to}ms"
        " at com.shop.{s}.client.RestClient.call(RestClient.java:",
        N,
        ")",
    ],
    "go": [
        'call to {t} failed: Post "http://{t}:8080/v1": context deadline exceeded (timeout {to}ms)'
    ],
    "python": [
        "requests.exceptions.ReadTimeout: HTTPConnectionPool(host='{t}', port=8080): "
        "Read timed out. (read timeout={tos})"
    ],
    "node": [
        "Error: timeout of {to}ms exceeded calling {t} (ETIMEDOUT) at Timeout._onTimeout "
        "(/app/node_modules/axios/lib/adapters/http.js:",
        N,
        ")",
    ],
    "ruby": [
        "Net::ReadTimeout: Net::ReadTimeout with #<TCPSocket:(closed)> calling {t} after {to}ms"
    ],
    "rust": ["error sending request to {t}: operation timed out after {to}ms"],
    "other": ["timeout calling {t} after {to}ms"],
}
UPSTREAM: dict[str, list[Seg]] = {
    "java": [
        "org.springframework.web.client.HttpServerErrorException$InternalServerError: "
        "500 from {t} at com.shop.{s}.client.RestClient.call(RestClient.java:",
        N,
        ")",
    ],
    "go": ["{t}: unexpected status 500 Internal Server Error"],
    "python": [
        "requests.exceptions.HTTPError: 500 Server Error: Internal Server Error for url: "
        "http://{t}:8080/"
    ],
    "node": ["Error: Request failed with status code 500 calling {t}"],
    "ruby": ["Faraday::ServerError: the server responded with status 500 calling {t}"],
    "rust": ["{t} responded 500 Internal Server Error"],
    "other": ["call to {t} failed with status 500"],
}
QUOTA: dict[str, list[Seg]] = {
    "java": [
        "org.springframework.web.client.HttpClientErrorException$TooManyRequests: "
        "429 Too Many Requests from {t} at com.shop.{s}.client.RestClient.call(RestClient.java:",
        N,
        ")",
    ],
    "go": ["{t}: unexpected status 429 Too Many Requests"],
    "python": [
        "requests.exceptions.HTTPError: 429 Client Error: Too Many Requests for url: "
        "http://{t}:8080/"
    ],
    "node": ["Error: Request failed with status code 429 (Too Many Requests) calling {t}"],
    "ruby": ["Faraday::TooManyRequestsError: the server responded with status 429 calling {t}"],
    "rust": ["{t} responded 429 Too Many Requests"],
    "other": ["call to {t} failed with status 429 Too Many Requests"],
}
"""What a client logs when a quota refuses its call (a rate limit's 429)."""
INTERNAL: dict[str, list[Seg]] = {
    "java": [
        "Unhandled exception processing {m} {p}: java.lang.RuntimeException at "
        "com.shop.{s}.api.Handler.handle(Handler.java:",
        N,
        ")",
    ],
    "go": ["handler error on {m} {p}: internal error (request failed)"],
    "python": [
        "Exception on {p} [{m}]: Traceback (most recent call last): File "
        '"/app/{s}/views.py", line ',
        N,
        ", in handle",
    ],
    "node": ["Error: request failed on {m} {p} at Router.handle (/app/src/routes.js:", N, ")"],
    "ruby": ["StandardError (request failed) on {m} {p}: app/controllers/api_controller.rb:", N],
    "rust": ["request to {m} {p} failed: internal error"],
    "other": ["internal error handling {m} {p}"],
}
OVERLOAD = "rejected {m} {p}: server overloaded, request queue full (503)"
DB_ERRORS = {
    "db_conn": "FATAL: sorry, too many clients already (max_connections={max})",
    "db_timeout": "ERROR: canceling statement due to statement timeout",
    "db_disk": 'PANIC: could not write to file "pg_wal/xlogtemp": No space left on device',
    "db_error": "ERROR: internal error while executing statement",
}


def prefix(fmt: str, lang: str, level: str, svc: str, logger: str) -> list[Seg]:
    """The start of a text line (timestamp, level, logger) in the style of the language."""
    lv = level.upper()
    ts = stamp(fmt, lang)
    if lang == "java":
        return [ts, f" {lv:<5} 1 --- [nio-8080-exec-", N, f"] c.shop.{svc}.{logger:<12}: "]
    if lang == "python":
        return [ts, f" {lv} [{svc}.{logger}] "]
    if lang == "ruby":
        return [f"{lv[0]}, [", ts, f" #1] {lv:>5} -- {svc}: "]
    return [ts, f" {lv} {svc} {logger}: "]


def line(
    fmt: str,
    lang: str,
    level: str,
    svc: str,
    logger: str,
    msg: Sequence[Seg],
    kv: list[tuple[str, Seg]],
) -> list[Seg]:
    """A whole line: text with ``key=value`` pairs, or one JSON object."""
    if fmt == "json":
        out: list[Seg] = [
            '{"ts":"',
            stamp(fmt, lang),
            f'","level":"{level}","service":"{svc}","logger":"{logger}","msg":"',
        ]
        out += [s.replace('"', '\\"') if isinstance(s, str) else s for s in msg]
        out.append('"')
        for key, value in kv:
            out += [f',"{key}":"', value, '"']
        out.append("}")
        return out
    out = prefix(fmt, lang, level, svc, logger) + list(msg)
    for key, value in kv:
        out += [f" {key}=", value]
    return out


def fill(parts: Sequence[Seg], **names: str) -> list[Seg]:
    """Put names (target, method, path...) into a message's literal parts."""
    return [p.format(**names) if isinstance(p, str) else p for p in parts]

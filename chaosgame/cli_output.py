"""The ``chaosgame`` command's standard output, guarded: a pipe whose reader has gone, a closed
stdout or a full disk end a command the same way, whatever it was printing (see
:func:`chaosgame.cli.main`)."""

from __future__ import annotations

import contextlib
import errno
import io
import os
import sys
from typing import TextIO

EX_SOFTWARE = 70
"""Exit status of an internal error (sysexits' EX_SOFTWARE)."""
EX_IOERR = 74
"""Exit status when the output cannot be written (sysexits' EX_IOERR)."""
SIGPIPE_STATUS = 128 + 13
"""Exit status when the reader of the output has gone (what a shell reports for SIGPIPE)."""


class OutputError(Exception):
    """Standard output cannot be written: closed, on a full disk, or a pipe nobody reads."""

    def __init__(self, reason: str, *, broken_pipe: bool = False) -> None:
        super().__init__(reason)
        self.broken_pipe = broken_pipe


class GuardedOutput(io.TextIOBase):
    """``sys.stdout`` for the length of a command: a failure to write becomes one
    :class:`OutputError` (and later writes are dropped), so every command reports a closed
    pipe, a closed stdout or a full disk the same way, whatever it was printing."""

    def __init__(self, stream: TextIO | None) -> None:
        super().__init__()
        self.stream = stream
        """The real standard output (None when the process started with it closed)."""
        self.failure: OutputError | None = None

    def _fail(self, exc: OSError | None) -> OutputError:
        if exc is None:
            self.failure = OutputError("it is closed")
        else:
            reason = exc.strerror or str(exc)
            if exc.errno == errno.EBADF:
                reason = "it is closed"
            self.failure = OutputError(reason, broken_pipe=isinstance(exc, BrokenPipeError))
        return self.failure

    def write(self, text: str) -> int:
        """Write to the real stdout, or raise :class:`OutputError`."""
        if self.failure is not None:
            return len(text)
        if self.stream is None:
            raise self._fail(None)
        try:
            return self.stream.write(text)
        except OSError as exc:
            raise self._fail(exc) from None

    def flush(self) -> None:
        """Flush the real stdout, or raise :class:`OutputError`."""
        if self.failure is not None or self.stream is None:
            return
        try:
            self.stream.flush()
        except OSError as exc:
            raise self._fail(exc) from None

    def isatty(self) -> bool:
        """Whether the real stdout is a terminal."""
        return self.stream is not None and self.failure is None and self.stream.isatty()

    def fileno(self) -> int:
        """The real stdout's file descriptor."""
        if self.stream is None:
            raise OSError(errno.EBADF, "standard output is closed")
        return self.stream.fileno()

    def writable(self) -> bool:
        """Always: a failure is reported when it happens."""
        return True

    @property
    def encoding(self) -> str:  # type: ignore[override]
        """The real stdout's encoding."""
        return getattr(self.stream, "encoding", None) or "utf-8"


def output_failed(exc: OutputError, real: TextIO | None) -> int:
    """Say once why the output stopped (nothing for a pipe whose reader has gone)."""
    stdout = sys.__stdout__
    if stdout is not None and real is stdout:
        # the real stdout still holds what could not be written; point it at /dev/null so
        # the interpreter's last flush does not complain again
        with contextlib.suppress(OSError, ValueError):
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, stdout.fileno())
            os.close(null)
    if exc.broken_pipe:
        return SIGPIPE_STATUS
    say_error(f"chaosgame: cannot write to standard output: {exc}")
    return EX_IOERR


def say_error(text: str) -> None:
    """A line on stderr, unless stderr cannot be written either."""
    if sys.stderr is None:
        return
    with contextlib.suppress(OSError, ValueError):
        print(text, file=sys.stderr)

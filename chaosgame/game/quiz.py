"""``chaosgame quiz``: practise the interview questions alone, in the terminal or from a script.

Multiple-choice questions are answered with the choice's number; open questions with free
text ending in an empty line, then compared with the model answer and its rubric, and the
player says whether their answer covered it. A wrong choice is followed by the explanation and
that choice's rebuttal (:func:`rebuttal`), never shown before the answer. Piped input works the
same way (each answer on its own line), so the quiz can be scripted and tested.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TextIO

DEFAULT_COUNT = 5


@dataclass
class Tally:
    """How the quiz went."""

    choice_right: int = 0
    choice_asked: int = 0
    open_covered: int = 0
    open_asked: int = 0
    skipped: int = 0

    def line(self) -> str:
        parts = []
        if self.choice_asked:
            parts.append(f"{self.choice_right} of {self.choice_asked} multiple-choice right")
        if self.open_asked:
            parts.append(
                f"{self.open_covered} of {self.open_asked} open answers covered the rubric "
                "(your own judgement)"
            )
        if self.skipped:
            parts.append(f"{self.skipped} skipped")
        return "; ".join(parts) if parts else "no questions answered"

    def short(self) -> str:
        """The tally in a few words, for a status line."""
        parts = []
        if self.choice_asked:
            parts.append(f"{self.choice_right}/{self.choice_asked} multiple-choice right")
        if self.open_asked:
            parts.append(f"{self.open_covered}/{self.open_asked} open covered")
        if self.skipped:
            parts.append(f"{self.skipped} skipped")
        return ", ".join(parts) if parts else "nothing answered yet"

    def record_choice(self, right: bool) -> None:
        """Count one multiple-choice answer."""
        self.choice_asked += 1
        self.choice_right += int(right)

    def record_open(self, covered: bool) -> None:
        """Count one open answer, as the player judged it against the rubric."""
        self.open_asked += 1
        self.open_covered += int(covered)

    def record_skip(self) -> None:
        """Count one question passed over without an answer."""
        self.skipped += 1


def is_right(q: Any, choice: int) -> bool:
    """Whether ``choice`` (0-based) is the right answer of the multiple-choice question ``q``."""
    return q.kind == "choice" and isinstance(q.answer, int) and choice == q.answer


def right_choice(q: Any) -> str:
    """The right answer of a multiple-choice question, numbered as the player sees it."""
    return f"{int(q.answer) + 1}) {q.choices[int(q.answer)]}"


def rebuttal(q: Any, choice: int) -> str | None:
    """Why the wrong choice ``choice`` (0-based) is wrong, for after the player picked it.

    None for the right choice, an open question or a question written without rebuttals.
    Never show it before the player has answered: it gives the answer away.
    """
    if is_right(q, choice) or q.kind != "choice":
        return None
    text = (getattr(q, "why_not", None) or {}).get(choice)
    return str(text) if text else None


def why_not_line(q: Any, choice: int) -> str | None:
    """The rebuttal of the chosen wrong choice as one line: ``Why not 2) ...: ...``."""
    text = rebuttal(q, choice)
    return f"Why not {choice + 1}: {text}" if text else None


class _Stop(Exception):
    """The player quit, or the input ended."""


class Quiz:
    """One quiz session over a list of questions."""

    def __init__(self, stdin: TextIO, stdout: TextIO) -> None:
        self.stdin, self.stdout = stdin, stdout
        self.interactive = stdin.isatty()
        self.tally = Tally()

    def say(self, text: str = "") -> None:
        self.stdout.write(text + "\n")
        self.stdout.flush()

    def wrap(self, text: str, indent: str = "") -> None:
        for line in textwrap.wrap(text, 78, initial_indent=indent, subsequent_indent=indent):
            self.say(line)

    def ask(self, prompt: str) -> str:
        """One line of input (without its newline); ``_Stop`` at the end of input or on q."""
        if self.interactive:
            self.stdout.write(prompt)
            self.stdout.flush()
        line = self.stdin.readline()
        if not line:
            raise _Stop
        answer = line.rstrip("\n")
        if not self.interactive:
            self.say(f"{prompt}{answer}")
        if answer.strip().lower() in ("q", "quit", "exit"):
            raise _Stop
        return answer

    def choice(self, q: Any) -> None:
        for n, text in enumerate(q.choices, start=1):
            self.wrap(f"{n}) {text}", "  ")
        while True:
            raw = self.ask(f"Your answer (1-{len(q.choices)}, s to skip, q to quit): ").strip()
            if raw.lower() in ("s", "skip"):
                self.tally.record_skip()
                self.say(f"The answer: {right_choice(q)}")
                self.wrap(q.explanation)
                return
            if raw.isdigit() and 1 <= int(raw) <= len(q.choices):
                break
            self.say(f"Please answer with a number from 1 to {len(q.choices)}.")
        chosen = int(raw) - 1
        right = is_right(q, chosen)
        self.tally.record_choice(right)
        self.say("Right." if right else f"Not quite. The answer: {right_choice(q)}")
        self.wrap(q.explanation)
        why = why_not_line(q, chosen)
        if why:
            self.wrap(why)

    def open(self, q: Any) -> None:
        self.say("Type your answer; an empty line ends it (s to skip, q to quit).")
        lines: list[str] = []
        while True:
            line = self.ask("| ")
            if not lines and line.strip().lower() in ("s", "skip"):
                self.tally.record_skip()
                break
            if not line.strip():
                break
            lines.append(line)
        self.say("Model answer:")
        self.wrap(str(q.answer), "  ")
        if q.rubric:
            self.say("A good answer makes these points:")
            for point in q.rubric:
                self.wrap(f"- {point}", "  ")
        if q.explanation:
            self.wrap(q.explanation)
        if not lines:
            return
        while True:
            raw = self.ask("Did your answer make most of these points? [y/n]: ").strip().lower()
            if raw in ("y", "yes", "n", "no"):
                break
            self.say("Please answer y or n.")
        self.tally.record_open(raw.startswith("y"))

    def run(self, questions: Sequence[Any]) -> Tally:
        """Ask every question in turn until the end, a quit or the end of input."""
        try:
            for i, q in enumerate(questions, start=1):
                self.say()
                self.say(f"Question {i} of {len(questions)} [{', '.join(q.topics)}] ({q.id})")
                self.wrap(q.question)
                if q.kind == "choice":
                    self.choice(q)
                else:
                    self.open(q)
        except _Stop:
            self.say()
        self.say(f"Done: {self.tally.line()}.")
        return self.tally


def pick(topic: str | None, count: int, seed: int) -> list[Any]:
    """The questions for a quiz: ``count`` of them on ``topic`` (or any), drawn by ``seed``.

    Raises:
        ValueError: an unknown topic id (the message lists the known ones), or a bad count.
    """
    from chaosgame.game import questions as bank

    if count < 1:
        raise ValueError(f"--count must be at least 1 (got {count})")
    return bank.draw([topic] if topic else [], count, seed)


def run_quiz(
    stdin: TextIO, stdout: TextIO, topic: str | None = None, count: int = 5, seed: int = 1
) -> int:
    """Run a quiz; return the exit status (0, or 1 when nothing could be asked)."""
    chosen = pick(topic, count, seed)
    if not chosen:
        stdout.write(f"No questions on {topic or 'any topic'} in the bank.\n")
        return 1
    Quiz(stdin, stdout).run(chosen)
    return 0

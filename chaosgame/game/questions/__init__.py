"""The interview question bank: trade-off questions on every curriculum topic.

Questions live in this folder as YAML, one file per topic id (``slo.yaml`` holds the questions
whose first topic is ``slo``). Each file is a list of entries::

    - id: slo-001
      topics: [slo, alerting-runbooks]
      difficulty: medium
      kind: choice            # or: open
      question: ...
      choices: [..., ...]     # 2 to 5 for a choice question; omitted for an open one
      answer: 1               # index of the right choice; for an open question, a model answer
      explanation: ...        # why the answer is right (and why the tempting wrong ones are not)
      why_not:                # choice questions: for every WRONG choice, by its index, what is
        0: ...                # half-right about it and why it is still wrong here
        2: ...
      rubric: [..., ...]      # the points a good open answer makes (required for open)

A player who picks a wrong choice reads the explanation and that choice's ``why_not``; the
review of all answers (the debrief) shows every wrong choice's. ``why_not`` is never shown
before the player answers.

The debrief asks a scenario's own questions and then draws more with :func:`draw`; the
``chaosgame quiz`` command practises them alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from chaosgame.engine.rng import Streams
from chaosgame.scenario.model import TOPICS

__all__ = [
    "BANK_DIR",
    "BankQuestion",
    "QuestionBankError",
    "by_id",
    "by_topic",
    "draw",
    "load_bank",
    "load_file",
]

BANK_DIR = Path(__file__).resolve().parent
"""The folder the bank's YAML files are read from."""

Text = Annotated[str, Field(min_length=1)]


class QuestionBankError(ValueError):
    """A question file that cannot be used; the message names the file and the entry."""


class BankQuestion(BaseModel):
    """One interview question, multiple-choice or open."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*-[0-9]{3}$")]
    topics: Annotated[tuple[str, ...], Field(min_length=1)]
    question: Text
    kind: Literal["choice", "open"]
    choices: tuple[Text, ...] = ()
    answer: int | Text
    explanation: Text
    why_not: dict[int, Text] = Field(default_factory=dict)
    """Choice questions: the rebuttal of each wrong choice, by its index (0-based)."""
    rubric: tuple[Text, ...] = ()
    difficulty: Literal["easy", "medium", "hard"]

    @field_validator("topics", mode="before")
    @classmethod
    def _topics_list(cls, value: Any) -> Any:
        # YAML gives lists; strict mode would refuse a list for a tuple field.
        return tuple(value) if isinstance(value, list) else value

    @field_validator("choices", "rubric", mode="before")
    @classmethod
    def _text_list(cls, value: Any) -> Any:
        return tuple(value) if isinstance(value, list) else value

    @field_validator("answer", mode="before")
    @classmethod
    def _answer_type(cls, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ValueError(
                "must be the index of the right choice (0, 1, ...) for a choice question, "
                f"or a model answer (text) for an open one, not {value!r}"
            )
        return value

    @field_validator("why_not", mode="before")
    @classmethod
    def _why_not_shape(cls, value: Any) -> Any:
        if value is None:
            raise ValueError(
                "is empty; give the rebuttal of each wrong choice by its index (0: ..., 2: ...)"
            )
        if not isinstance(value, dict):
            raise ValueError(
                "must map the index of each wrong choice (0, 1, ...) to its rebuttal, "
                f"not {type(value).__name__}"
            )
        for key in value:
            if isinstance(key, bool) or not isinstance(key, int):
                raise ValueError(f"key {key!r} is not a choice index (0, 1, ...)")
        return value

    @field_validator("topics")
    @classmethod
    def _known_topics(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [t for t in value if t not in TOPICS]
        if unknown:
            raise ValueError(
                f"unknown topic id {', '.join(map(repr, unknown))}; use one of: {', '.join(TOPICS)}"
            )
        if len(set(value)) != len(value):
            raise ValueError("a topic is listed twice")
        return value

    @model_validator(mode="after")
    def _kind_rules(self) -> BankQuestion:
        if self.kind == "choice":
            if not 2 <= len(self.choices) <= 5:
                raise ValueError(
                    f"a choice question needs 2 to 5 choices, found {len(self.choices)}"
                )
            if len(set(self.choices)) != len(self.choices):
                raise ValueError("two choices have the same text")
            if isinstance(self.answer, bool) or not isinstance(self.answer, int):
                raise ValueError("answer must be the index (0-based) of the right choice")
            if not 0 <= self.answer < len(self.choices):
                raise ValueError(
                    f"answer {self.answer} is not a choice index (0 to {len(self.choices) - 1})"
                )
            self._check_why_not()
        else:
            if self.choices:
                raise ValueError("an open question has no choices")
            if self.why_not:
                raise ValueError("an open question has no why_not (it has no wrong choices)")
            if not isinstance(self.answer, str):
                raise ValueError("an open question's answer is a model answer (text)")
            if not self.rubric:
                raise ValueError("an open question needs a rubric (the points a good answer makes)")
        return self

    def _check_why_not(self) -> None:
        last = len(self.choices) - 1
        beyond = sorted(i for i in self.why_not if not 0 <= i <= last)
        if beyond:
            raise ValueError(
                f"why_not: {', '.join(map(str, beyond))} is not a choice index (0 to {last})"
            )
        if self.answer in self.why_not:
            raise ValueError(
                f"why_not: {self.answer} is the right answer; only the wrong choices get a rebuttal"
            )
        missing = [
            i for i in range(len(self.choices)) if i != self.answer and i not in self.why_not
        ]
        if missing:
            raise ValueError(
                f"why_not: no rebuttal for wrong choice {', '.join(map(str, missing))} "
                "(say what is half-right about it and why it is still wrong here)"
            )
        blank = sorted(i for i, text in self.why_not.items() if not text.strip())
        if blank:
            raise ValueError(
                f"why_not: the rebuttal of choice {', '.join(map(str, blank))} is blank"
            )

    @property
    def topic(self) -> str:
        """The question's main topic (its first)."""
        return self.topics[0]

    def correct_choice(self) -> str | None:
        """The text of the right choice, or None for an open question."""
        if self.kind == "choice" and isinstance(self.answer, int):
            return self.choices[self.answer]
        return None

    def rebuttal(self, choice: int) -> str | None:
        """Why ``choice`` (0-based) is wrong, or None for the right one or an open question."""
        return self.why_not.get(choice)


def _describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"])
        msg = item["msg"].removeprefix("Value error, ")
        if item["type"] == "string_type" and isinstance(item["input"], dict):
            msg += " (an unquoted ': ' inside text starts a mapping; quote the text)"
        elif item["type"] == "string_type" and isinstance(item["input"], bool):
            msg += " (yes, no, on and off are booleans in YAML; quote the text)"
        parts.append(f"{where}: {msg}" if where else msg)
    return "; ".join(parts)


def load_file(path: Path) -> list[BankQuestion]:
    """Load and validate one question file.

    Raises:
        QuestionBankError: the file is not valid YAML, not a list, or an entry is wrong; the
            message names the file and the entry (its position and its id when it has one).
    """
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise QuestionBankError(f"{path.name}: not valid YAML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise QuestionBankError(f"{path.name}: cannot be read: {exc}") from None
    if not isinstance(data, list) or not data:
        raise QuestionBankError(f"{path.name}: expected a non-empty list of questions")
    out: list[BankQuestion] = []
    for index, entry in enumerate(data, start=1):
        label = f"entry {index}"
        if isinstance(entry, dict) and isinstance(entry.get("id"), str):
            label += f" ({entry['id']})"
        if not isinstance(entry, dict):
            raise QuestionBankError(f"{path.name}: {label}: expected a mapping of fields")
        try:
            out.append(BankQuestion.model_validate(entry))
        except ValidationError as exc:
            raise QuestionBankError(f"{path.name}: {label}: {_describe(exc)}") from None
    return out


def _load_dir(directory: Path) -> tuple[BankQuestion, ...]:
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise QuestionBankError(f"{directory}: no question files (*.yaml) found")
    seen: dict[str, str] = {}
    out: list[BankQuestion] = []
    for path in files:
        for question in load_file(path):
            if question.id in seen:
                raise QuestionBankError(
                    f"{path.name}: question id {question.id!r} is already used in {seen[question.id]}"
                )
            seen[question.id] = path.name
            out.append(question)
    return tuple(out)


@cache
def _bundled() -> tuple[BankQuestion, ...]:
    return _load_dir(BANK_DIR)


def load_bank(directory: Path | None = None) -> list[BankQuestion]:
    """Every question of the bank, file by file in name order.

    Args:
        directory: read this folder instead of the bundled bank (for tests and authors).

    Raises:
        QuestionBankError: a file is wrong, or two questions share an id.
    """
    return list(_bundled() if directory is None else _load_dir(directory))


def _check_topic(topic: str) -> None:
    if topic not in TOPICS:
        raise ValueError(f"unknown topic id {topic!r}; use one of: {', '.join(TOPICS)}")


def by_topic(topic: str, bank: Sequence[BankQuestion] | None = None) -> list[BankQuestion]:
    """The questions tagged with ``topic`` (in any position), in bank order."""
    _check_topic(topic)
    return [q for q in (load_bank() if bank is None else bank) if topic in q.topics]


def by_id(question_id: str, bank: Sequence[BankQuestion] | None = None) -> BankQuestion:
    """The question with this id.

    Raises:
        KeyError: no question has that id.
    """
    for q in load_bank() if bank is None else bank:
        if q.id == question_id:
            return q
    raise KeyError(f"no question with id {question_id!r}")


def draw(
    topics: Iterable[str],
    n: int,
    seed: int,
    *,
    exclude: Iterable[str] = (),
    bank: Sequence[BankQuestion] | None = None,
) -> list[BankQuestion]:
    """Choose up to ``n`` distinct questions on ``topics``, the same ones for the same seed.

    Topics take turns so that a draw over several topics covers each of them before repeating
    one; within a topic the order is a seeded shuffle from the ``questions`` stream. An empty
    ``topics`` means the whole curriculum. Fewer than ``n`` come back when the pool is smaller.

    Args:
        topics: curriculum topic ids.
        n: how many questions to draw (0 or more).
        seed: the seed for ``Streams(seed).get("questions")``.
        exclude: question ids not to draw (for example those the debrief already asked).
        bank: the questions to draw from (the bundled bank by default).

    Raises:
        ValueError: an unknown topic id, or a negative ``n``.
    """
    if n < 0:
        raise ValueError(f"cannot draw a negative number of questions ({n})")
    wanted = list(dict.fromkeys(topics)) or list(TOPICS)
    for topic in wanted:
        _check_topic(topic)
    pool = list(load_bank() if bank is None else bank)
    skip = set(exclude)
    rng = Streams(seed).get("questions")
    queues: list[list[BankQuestion]] = []
    for topic in wanted:
        group = [q for q in pool if topic in q.topics and q.id not in skip]
        rng.shuffle(group)
        queues.append(group)
    start = rng.randrange(len(queues))
    order = queues[start:] + queues[:start]
    chosen: list[BankQuestion] = []
    taken: set[str] = set()
    while len(chosen) < n and any(order):
        for group in order:
            while group and group[0].id in taken:
                group.pop(0)
            if group and len(chosen) < n:
                question = group.pop(0)
                taken.add(question.id)
                chosen.append(question)
    return chosen

"""Quiz: practise the interview questions of one curriculum topic, or of all of them.

The questions come from the core's seeded draw (:func:`chaosgame.game.quiz.pick`), in the same
order for the same seed and topic; the running :class:`~chaosgame.game.quiz.Tally` is the one
``chaosgame quiz`` keeps. Multiple choice is answered with a key (1-4 or a-d) or the arrows
and enter; an open answer is typed, then compared with the model answer and its rubric, and
the player says whether it made those points. A wrong choice is answered with the explanation
and that choice's rebuttal (why it is tempting and why it is still wrong), shown only after the
player answered.
"""

from __future__ import annotations

import os
from typing import Any, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import OptionList, Static, TextArea
from textual.widgets.option_list import Option

from chaosgame.game.quiz import Tally, is_right, rebuttal, right_choice
from chaosgame.tui.screens.history import back_on_screen
from chaosgame.tui.widgets.footer import KeyFooter

ALL = "all"
Part = tuple[str, str] | str | Content
"""A piece of text for ``Content.assemble``."""
"""The topic choice that draws from the whole curriculum."""


def _key(text: str) -> Content:
    return Content.styled(text, "bold $accent")


def hints(*pairs: tuple[str, str]) -> list[Part]:
    """Key hints: each key highlighted, then what it does."""
    out: list[Part] = []
    for key, what in pairs:
        out += [_key(key), f" {what}   "]
    return out


class QuizScreen(Screen[None]):
    """Choose a topic, then one question at a time with a running tally."""

    BINDINGS = [
        Binding("1,a", "choose(0)", "answer", key_display="1-4"),
        Binding("2,b", "choose(1)", "answer", show=False),
        Binding("3,c", "choose(2)", "answer", show=False),
        Binding("4,d", "choose(3)", "answer", show=False),
        Binding("5,e", "choose(4)", "answer", show=False),
        Binding("ctrl+s", "reveal", "show answer"),
        Binding("y", "mark(True)", "I covered it"),
        Binding("n", "mark(False)", "I missed it"),
        Binding("n", "next", "next"),
        Binding("s", "skip", "skip"),
        Binding("t", "topics", "topic"),
        Binding("escape", "back", "back"),
    ]

    def __init__(self, seed: int | None = None) -> None:
        super().__init__()
        self.seed = seed if seed is not None else int.from_bytes(os.urandom(3), "big")
        self.tally = Tally()
        self.phase = "loading"
        """loading, topics, question or done."""
        self.topic = ALL
        self.questions: list[Any] = []
        self.index = 0
        self.answered = False
        self.awaiting_mark = False
        """An open answer was compared with the rubric; the player has not marked it yet."""
        self.counts: dict[str, int] = {}

    def compose(self) -> ComposeResult:
        """Title, status, the topic list, and the question area."""
        with Vertical(id="quiz"):
            yield Static(self._title(), id="quiz-title")
            yield Static("Loading the question bank…", id="quiz-status")
            yield OptionList(id="quiz-topics")
            with VerticalScroll(id="quiz-body"):
                yield Static("", id="quiz-question")
                yield OptionList(id="quiz-choices")
                yield TextArea(
                    id="quiz-answer",
                    placeholder="Type your answer here; ctrl+s shows the model answer.",
                )
                yield Static("", id="quiz-feedback")
        yield KeyFooter()

    def on_mount(self) -> None:
        """Load the bank in a worker (the first load reads every question file)."""
        self.query_one("#quiz-topics").display = False
        self.query_one("#quiz-body").display = False
        self._load_bank()

    # ------------------------------------------------------------------ topics
    @work(thread=True, exclusive=True, group="quiz")
    def _load_bank(self) -> None:
        from chaosgame.game.questions import load_bank
        from chaosgame.scenario.model import TOPICS

        try:
            bank = load_bank()
        except Exception as exc:  # a broken bank is a message, never a crash
            back_on_screen(self, self._problem, f"The question bank cannot be read: {exc}")
            return
        counts = {ALL: len(bank)}
        counts.update({t: sum(t in q.topics for q in bank) for t in TOPICS})
        back_on_screen(self, self._topics_ready, counts)

    def _problem(self, message: str) -> None:
        self.query_one("#quiz-status", Static).update(Content.styled("⚠ " + message, "$error"))

    def _topics_ready(self, counts: dict[str, int]) -> None:
        self.counts = counts
        topics = self.query_one("#quiz-topics", OptionList)
        topics.clear_options()
        for topic, n in counts.items():
            label = "all topics" if topic == ALL else topic
            topics.add_option(Option(f"{label:<24} {n:>3} questions", id=topic))
        self.action_topics()

    def action_topics(self) -> None:
        """Choose another topic (the tally keeps counting)."""
        if not self.counts:
            return
        self.phase = "topics"
        topics = self.query_one("#quiz-topics", OptionList)
        topics.highlighted = topics.get_option_index(self.topic)
        topics.display = True
        self.query_one("#quiz-body").display = False
        topics.focus()
        self.query_one("#quiz-title", Static).update(self._title())
        self.query_one("#quiz-status", Static).update(
            Content.assemble(
                *hints(("↑↓ enter", "choose a topic"), ("esc", "back")),
                f"So far: {self.tally.short()}",
            )
        )
        self.refresh_bindings()

    @on(OptionList.OptionSelected, "#quiz-topics")
    def _topic_chosen(self, event: OptionList.OptionSelected) -> None:
        self.topic = str(event.option.id)
        self.query_one("#quiz-status", Static).update(f"Drawing questions on {self.topic}…")
        self._draw(self.topic)

    @work(thread=True, exclusive=True, group="quiz")
    def _draw(self, topic: str) -> None:
        from chaosgame.game.quiz import pick

        try:
            chosen = pick(None if topic == ALL else topic, max(self.counts[topic], 1), self.seed)
        except Exception as exc:  # an unknown topic or a broken bank: a message
            back_on_screen(self, self._problem, f"No questions could be drawn: {exc}")
            return
        back_on_screen(self, self._begin, chosen)

    def _begin(self, questions: list[Any]) -> None:
        if not questions:
            self._problem(f"No questions on {self.topic} in the bank.")
            return
        self.questions = questions
        self.index = 0
        self.query_one("#quiz-topics").display = False
        self.query_one("#quiz-body").display = True
        self._ask()

    # ---------------------------------------------------------------- questions
    @property
    def question(self) -> Any:
        """The question on screen (None outside the question phase)."""
        if self.phase != "question":
            return None
        return self.questions[self.index]

    def _title(self) -> Content:
        parts: list[tuple[str, str] | str] = [(" QUIZ ", "bold reverse $accent")]
        if self.phase in ("question", "done"):
            parts.append(f"  {self.topic}")
            if self.phase == "question":
                parts.append(f" · question {self.index + 1} of {len(self.questions)}")
        else:
            parts.append("  interview questions by topic")
        parts.append((f" · seed {self.seed}", "$text-muted"))
        return Content.assemble(*parts)

    def _status(self) -> None:
        self.query_one("#quiz-title", Static).update(self._title())
        self.query_one("#quiz-status", Static).update(
            Content.assemble(("So far: ", "$text-muted"), self.tally.short())
        )
        self.refresh_bindings()

    def _ask(self) -> None:
        self.phase = "question"
        self.answered = self.awaiting_mark = False
        q = self.question
        self.query_one("#quiz-question", Static).update(
            Content.assemble(
                (q.id, "bold"),
                (f"  {q.kind}, {q.difficulty}; topics {', '.join(q.topics)}\n\n", "$text-muted"),
                q.question,
            )
        )
        choices = self.query_one("#quiz-choices", OptionList)
        answer = self.query_one("#quiz-answer", TextArea)
        feedback = self.query_one("#quiz-feedback", Static)
        choices.display = q.kind == "choice"
        answer.display = q.kind != "choice"
        if q.kind == "choice":
            choices.clear_options()
            choices.add_options([f"  {n}) {text}" for n, text in enumerate(q.choices, 1)])
            choices.highlighted = 0
            choices.disabled = False
            choices.focus()
            last = len(q.choices)
            feedback.update(
                Content.assemble(
                    _key(f"1-{last}"),
                    " or ",
                    _key(f"a-{'abcde'[last - 1]}"),
                    ", or ",
                    *hints(("↑↓ enter", "answer"), ("s", "skip")),
                )
            )
        else:
            answer.read_only = False
            answer.text = ""
            answer.focus()
            feedback.update(
                Content.assemble(
                    *hints(("ctrl+s", "compare with the model answer"), ("esc", "leave the text")),
                )
            )
        self.query_one("#quiz-body", VerticalScroll).scroll_home(animate=False)
        self._status()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Show and allow only the keys that mean something now."""
        q = self.question
        if action == "choose":
            index = int(cast(int, parameters[0]))
            return (
                q is not None
                and q.kind == "choice"
                and not self.answered
                and (index < len(q.choices))
            )
        if action == "reveal":
            return q is not None and q.kind != "choice" and not self.answered
        if action == "mark":
            return self.awaiting_mark
        if action == "next":
            return q is not None and self.answered and not self.awaiting_mark
        if action == "skip":
            return q is not None and not self.answered
        if action == "topics":
            return self.phase in ("question", "done")
        return True

    @on(OptionList.OptionSelected, "#quiz-choices")
    def _choice_selected(self, event: OptionList.OptionSelected) -> None:
        self.action_choose(event.option_index)

    def action_choose(self, index: int) -> None:
        """Answer the multiple-choice question with choice ``index`` (0-based)."""
        q = self.question
        if q is None or q.kind != "choice" or self.answered or index >= len(q.choices):
            return
        right = is_right(q, index)
        self.tally.record_choice(right)
        self.answered = True
        self._mark_choices(index)
        verdict = (
            ("✓ Right.", "bold $success")
            if right
            else (
                f"✗ Not quite: you chose {index + 1}. The answer: {right_choice(q)}",
                "bold $error",
            )
        )
        why = rebuttal(q, index)
        why_not: list[Part] = ["\n\n", (f"Why not {index + 1}: ", "bold"), why] if why else []
        self._feedback(
            Content.assemble(verdict, "\n\n", q.explanation, *why_not, "\n\n", *self._next_keys())
        )

    def _mark_choices(self, chosen: int | None) -> None:
        q = self.question
        choices = self.query_one("#quiz-choices", OptionList)
        for n, text in enumerate(q.choices):
            mark = "✓" if n == q.answer else "✗" if n == chosen else " "
            note = " (right answer)" if n == q.answer else " (your answer)" if n == chosen else ""
            choices.replace_option_prompt_at_index(n, f"{mark} {n + 1}) {text}{note}")
        choices.highlighted = None
        choices.disabled = True

    def _next_keys(self) -> list[Part]:
        last = self.index + 1 >= len(self.questions)
        return hints(
            ("n", "the end of this topic" if last else "next question"),
            ("t", "another topic"),
            ("esc", "back"),
        )

    def _feedback(self, content: Content, end: bool = False) -> None:
        """Show the verdict; scroll to its start, or to its end when the keys are there."""
        feedback = self.query_one("#quiz-feedback", Static)
        feedback.update(content)
        body = self.query_one("#quiz-body", VerticalScroll)
        body.focus()
        self._status()
        if end:
            self.call_after_refresh(body.scroll_end, animate=False)
        else:
            self.call_after_refresh(feedback.scroll_visible, animate=False)

    def _model_answer(self) -> list[Part]:
        q = self.question
        parts: list[Part] = [("Model answer\n", "bold"), f"{q.answer}\n"]
        if q.rubric:
            parts.append(("\nA good answer makes these points\n", "bold"))
            parts += [f" • {point}\n" for point in q.rubric]
        if q.explanation:
            parts.append(f"\n{q.explanation}\n")
        return parts

    def action_reveal(self, skip: bool = False) -> None:
        """Compare the typed answer with the model answer and its rubric."""
        q = self.question
        if q is None or q.kind == "choice" or self.answered:
            return
        answer = self.query_one("#quiz-answer", TextArea)
        answer.read_only = True
        self.answered = True
        parts = self._model_answer()
        if skip or not answer.text.strip():
            self.tally.record_skip()
            parts += [
                ("\nNo answer given: counted as skipped.\n\n", "$text-muted"),
                *self._next_keys(),
            ]
        else:
            self.awaiting_mark = True
            parts += [
                ("\nDid your answer make most of these points?  ", "bold"),
                _key("y"),
                " yes   ",
                _key("n"),
                " no",
            ]
        self._feedback(Content.assemble(*parts), end=True)

    def action_mark(self, covered: bool) -> None:
        """The player's own verdict on their open answer."""
        if not self.awaiting_mark:
            return
        self.tally.record_open(covered)
        self.awaiting_mark = False
        verdict = (
            ("✓ Marked as covered.", "bold $success")
            if covered
            else ("✗ Marked as missed: read the points again before the next one.", "bold $warning")
        )
        self._feedback(
            Content.assemble(*self._model_answer(), "\n", verdict, "\n\n", *self._next_keys()),
            end=True,
        )

    def action_skip(self) -> None:
        """Pass over this question: the answer is shown, and it counts as skipped."""
        q = self.question
        if q is None or self.answered:
            return
        if q.kind != "choice":
            self.action_reveal(skip=True)
            return
        self.tally.record_skip()
        self.answered = True
        self._mark_choices(None)
        self._feedback(
            Content.assemble(
                ("Skipped. ", "bold"),
                f"The answer: {right_choice(q)}\n\n",
                q.explanation,
                "\n\n",
                *self._next_keys(),
            )
        )

    def action_next(self) -> None:
        """The next question, or the end of the topic."""
        if self.question is None or not self.answered or self.awaiting_mark:
            return
        if self.index + 1 < len(self.questions):
            self.index += 1
            self._ask()
            return
        self.phase = "done"
        self.query_one("#quiz-choices").display = False
        self.query_one("#quiz-answer").display = False
        self.query_one("#quiz-question", Static).update(
            Content.assemble(
                (f"That was every question on {self.topic}.\n\n", "bold"),
                f"{self.tally.line().capitalize()}.",
            )
        )
        self._feedback(Content.assemble("\n", *hints(("t", "another topic"), ("esc", "back"))))

    def action_back(self) -> None:
        """Leave the answer field first; then back to the home screen."""
        if isinstance(self.focused, TextArea):
            self.query_one("#quiz-body", VerticalScroll).focus()
            return
        self.dismiss(None)

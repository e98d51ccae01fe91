"""Pilot tests of the history and quiz screens, opened from home with keys only."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.widgets import DataTable

from chaosgame.game.quiz import pick
from chaosgame.game.records import RunStore
from chaosgame.game.session import Session
from chaosgame.scenario import library
from chaosgame.scenario.model import TOPICS
from chaosgame.tui.app import ChaosApp
from chaosgame.tui.screens.console import ConsoleScreen
from chaosgame.tui.screens.history import NOT_SAVED, HistoryScreen, PostmortemScreen
from chaosgame.tui.screens.home import HomeScreen
from chaosgame.tui.screens.quiz import QuizScreen
from tests.tui.conftest import SEED, press, run_async, settle

FINISHED = [{"type": "query", "view": "map"}, {"type": "wait", "seconds": 60}]
PLAYING = [{"type": "query", "view": "map"}, {"type": "wait", "seconds": 30}]


def make_records(path: Path) -> RunStore:
    """Run 1 finished and scored, run 2 in progress; fixed time stamps (for snapshots)."""
    store = RunStore(path)
    done = Session(library.load(), SEED)
    done.reset()
    rid = store.attach(done)
    for action in FINISHED:
        assert done.step(action)["ok"]
    done.step({"type": "end"})
    store.finish(rid, done, done.finish().score.as_dict())
    playing = Session(library.load(), SEED)
    playing.reset()
    store.attach(playing)
    for action in PLAYING:
        assert playing.step(action)["ok"]
    with sqlite3.connect(path) as conn:
        for n, (created, updated) in enumerate(
            [
                ("2026-01-02T09:15:00+00:00", "2026-01-02T09:40:00+00:00"),
                ("2026-01-03T18:05:00+00:00", "2026-01-03T18:07:00+00:00"),
            ],
            start=1,
        ):
            conn.execute(
                "UPDATE runs SET created = ?, updated = ? WHERE id = ?", (created, updated, n)
            )
    conn.close()
    return store


@pytest.fixture(scope="session")
def records_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The two-run database, built once (playing a game takes a moment)."""
    path = tmp_path_factory.mktemp("records") / "runs.sqlite3"
    make_records(path)
    return path


@pytest.fixture
def store(records_template: Path, tmp_path: Path) -> RunStore:
    """A fresh copy of the two-run database for one test."""
    path = tmp_path / "runs.sqlite3"
    shutil.copy(records_template, path)
    return RunStore(path)


def _detail(app: ChaosApp) -> str:
    return str(app.screen.query_one("#history-detail").render())


# ------------------------------------------------------------------ history
@run_async
async def test_history_lists_the_saved_runs_newest_first(
    app_factory: Callable[..., ChaosApp], store: RunStore
) -> None:
    app = app_factory(store=store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "h")
        assert isinstance(app.screen, HistoryScreen)
        table = app.screen.query_one("#runs", DataTable)
        assert table.row_count == 2
        assert [table.get_row_at(i)[0] for i in range(2)] == ["2", "1"]
        newest, oldest = table.get_row_at(0), table.get_row_at(1)
        assert newest[1] == "2026-01-03 18:05"
        assert str(newest[2]).startswith("Checkout is failing at")  # the title, never the id
        assert newest[3] == str(SEED)
        assert newest[4] == "-"
        assert "playing" in str(newest[5])
        assert "finished" in str(oldest[5])
        assert oldest[4] == f"{store.get(1).score['total']:.1f} {store.get(1).score['grade']}"
        assert "run 2" in _detail(app)
        assert "resume this game" in _detail(app)
        await press(pilot, "down")
        assert "read its postmortem" in _detail(app)
        await press(pilot, "escape")
        assert isinstance(app.screen, HomeScreen)


@run_async
async def test_enter_on_an_unfinished_run_resumes_it(
    app_factory: Callable[..., ChaosApp], store: RunStore
) -> None:
    app = app_factory(store=store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "h", "enter")
        assert isinstance(app.screen, ConsoleScreen)
        assert app.game is not None
        assert app.game.run_id == 2
        assert app.game.view.actions == store.get(2).actions
        assert [a["action"]["type"] for a in app.game.view.actions] == ["query", "wait"]
        await press(pilot, "w")
        assert len(store.get(2).actions) == 3  # saved after every action, in the same run


@run_async
async def test_a_finished_run_opens_its_postmortem_and_exports_it(
    app_factory: Callable[..., ChaosApp], store: RunStore, tmp_path: Path
) -> None:
    app = app_factory(store=store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "h", "down", "enter")
        screen = app.screen
        assert isinstance(screen, PostmortemScreen)
        assert screen.text is not None
        assert screen.text.startswith("# Postmortem: ")
        assert "run 1, scenario `checkout-payment-step-failing`" in screen.text
        await press(pilot, "x")
        written = tmp_path / f"postmortem-checkout-payment-step-failing-{SEED}-run1.md"
        assert written.read_text(encoding="utf-8") == screen.text
        await press(pilot, "escape")
        assert isinstance(app.screen, HistoryScreen)
        assert app.game is None  # reading a postmortem starts no game


@run_async
async def test_leaving_before_the_postmortem_is_built_is_fine(
    app_factory: Callable[..., ChaosApp], store: RunStore
) -> None:
    app = app_factory(store=store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "h")
        await pilot.press("down", "enter", "escape", "escape")  # no settling in between
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.game is None


@run_async
async def test_no_store_says_so(app_factory: Callable[..., ChaosApp]) -> None:
    app = app_factory(store=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "h")
        assert isinstance(app.screen, HistoryScreen)
        assert "not saved" in _detail(app)
        assert _detail(app).replace("\n", " ").split() == NOT_SAVED.split()
        await press(pilot, "enter")  # nothing to open: still here, no crash
        assert isinstance(app.screen, HistoryScreen)


@run_async
async def test_a_file_that_is_not_a_database_is_a_message(
    app_factory: Callable[..., ChaosApp], tmp_path: Path
) -> None:
    path = tmp_path / "runs.sqlite3"
    path.write_bytes(b"this is not a database, " * 100)
    app = app_factory(store=RunStore(path))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "h")
        assert isinstance(app.screen, HistoryScreen)
        assert "The saved games cannot be read" in _detail(app)
        assert "not a readable run database" in _detail(app)
        await press(pilot, "enter", "g")
        assert isinstance(app.screen, HistoryScreen)


@run_async
async def test_damaged_records_are_skipped_with_a_warning(
    app_factory: Callable[..., ChaosApp], store: RunStore
) -> None:
    with sqlite3.connect(store.path) as conn:
        conn.execute("UPDATE runs SET actions = 'not json' WHERE id = 1")
    conn.close()
    app = app_factory(store=store)
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "h")
        table = app.screen.query_one("#runs", DataTable)
        assert table.row_count == 1
        assert "1 damaged record skipped: run 1" in _detail(app)


@run_async
async def test_a_run_that_cannot_resume_is_a_message(
    app_factory: Callable[..., ChaosApp], store: RunStore
) -> None:
    with sqlite3.connect(store.path) as conn:
        conn.execute("UPDATE runs SET scenario = '{\"id\": 3}' WHERE id = 2")
    conn.close()
    app = app_factory(store=store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "h", "enter")
        assert isinstance(app.screen, HistoryScreen)
        assert app.game is None
        assert "Run 2 cannot be resumed: run 2: its scenario cannot be read" in _detail(app)


# --------------------------------------------------------------------- quiz
def _open_topic(topic: str) -> tuple[str, ...]:
    """Keys from home to the first question on ``topic``."""
    return ("z", *["down"] * (TOPICS.index(topic) + 1), "enter")


@run_async
async def test_quiz_multiple_choice_right_and_wrong_then_an_open_answer(
    app_factory: Callable[..., ChaosApp],
) -> None:
    drawn = pick("slo", 100, SEED)
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, *_open_topic("slo"))
        quiz = app.screen
        assert isinstance(quiz, QuizScreen)
        assert quiz.seed == SEED
        assert [q.id for q in quiz.questions] == [q.id for q in drawn]
        right = wrong = opened = 0
        for q in drawn:
            assert quiz.question is q
            if q.kind == "choice" and not right:
                await press(pilot, str(q.answer + 1))  # the right one, by number
                right += 1
                assert "Right." in str(quiz.query_one("#quiz-feedback").render())
            elif q.kind == "choice" and not wrong:
                miss = 0 if q.answer else 1
                await press(pilot, *["down"] * miss, "enter")  # a wrong one, by arrows
                wrong += 1
                feedback = str(quiz.query_one("#quiz-feedback").render())
                assert f"Not quite: you chose {miss + 1}" in feedback
                assert q.explanation.split()[0] in feedback
            elif q.kind == "open" and not opened:
                await press(pilot, *"page on fast burn", "ctrl+s")
                assert quiz.awaiting_mark
                assert "A good answer makes these points" in str(
                    quiz.query_one("#quiz-feedback").render()
                )
                await press(pilot, "n")  # "no" here, not "next": the answer is not marked yet
                assert quiz.question is q
                opened += 1
            else:
                await press(pilot, "s")
            if right and wrong and opened:
                break
            await press(pilot, "n")
        assert (right, wrong, opened) == (1, 1, 1)
        tally = quiz.tally
        assert (tally.choice_right, tally.choice_asked) == (1, 2)
        assert (tally.open_covered, tally.open_asked) == (0, 1)
        status = str(quiz.query_one("#quiz-status").render())
        assert "1/2 multiple-choice right, 0/1 open covered" in status


@run_async
async def test_quiz_open_answer_marked_covered_and_an_empty_one_skipped(
    app_factory: Callable[..., ChaosApp],
) -> None:
    drawn = pick("multi-region", 100, SEED)
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, *_open_topic("multi-region"))
        quiz = app.screen
        assert isinstance(quiz, QuizScreen)
        answered = skipped = 0
        for q in drawn:
            if q.kind != "open":
                await press(pilot, "s", "n")
                continue
            if not answered:
                await press(pilot, *"fail over by region", "ctrl+s", "y")
                answered += 1
                assert "Marked as covered" in str(quiz.query_one("#quiz-feedback").render())
            else:
                await press(pilot, "ctrl+s")  # nothing typed: skipped, nothing to mark
                assert not quiz.awaiting_mark
                skipped += 1
                break
            await press(pilot, "n")
        assert (answered, skipped) == (1, 1)
        assert (quiz.tally.open_covered, quiz.tally.open_asked) == (1, 1)
        await press(pilot, "t")  # another topic: the list again, the tally kept
        assert quiz.phase == "topics"
        assert quiz.tally.open_covered == 1
        await press(pilot, "escape")
        assert isinstance(app.screen, HomeScreen)


@run_async
async def test_escape_leaves_the_answer_field_before_the_screen(
    app_factory: Callable[..., ChaosApp],
) -> None:
    drawn = pick("slo", 100, SEED)
    first_open = next(i for i, q in enumerate(drawn) if q.kind == "open")
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, *_open_topic("slo"))
        for _ in range(first_open):
            await press(pilot, "s", "n")
        quiz = app.screen
        assert isinstance(quiz, QuizScreen)
        await press(pilot, *"abc", "escape")
        assert quiz.query_one("#quiz-answer").has_focus is False
        assert isinstance(app.screen, QuizScreen)
        await press(pilot, "s")  # a letter is a key again
        assert quiz.tally.skipped == first_open + 1
        await press(pilot, "escape")
        assert isinstance(app.screen, HomeScreen)


def _on_screen(quiz: QuizScreen) -> str:
    """Every text the quiz screen shows: its static texts and the choices' prompts."""
    from textual.widgets import OptionList, Static

    texts = [str(w.render()) for w in quiz.query(Static)]
    for options in quiz.query(OptionList):
        texts += [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
    return " ".join(" ".join(texts).split())


@run_async
async def test_quiz_shows_the_chosen_wrong_choices_rebuttal_only_after_answering(
    app_factory: Callable[..., ChaosApp],
) -> None:
    drawn = pick("slo", 100, SEED)
    first = next(i for i, q in enumerate(drawn) if q.kind == "choice")
    q = drawn[first]
    wrong = [n for n in range(len(q.choices)) if n != q.answer]
    picked, other = wrong[0], wrong[1]
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, *_open_topic("slo"))
        for between in drawn[:first]:
            await press(pilot, "ctrl+s" if between.kind == "open" else "s", "n")
        quiz = app.screen
        assert isinstance(quiz, QuizScreen)
        assert quiz.question is q
        before = _on_screen(quiz)
        assert q.choices[picked] in before
        for text in q.why_not.values():
            assert text not in before  # no rebuttal before the player answers
        assert "Why not" not in before
        await press(pilot, str(picked + 1))
        feedback = " ".join(str(quiz.query_one("#quiz-feedback").render()).split())
        assert f"Why not {picked + 1}: {q.why_not[picked]}" in feedback
        assert q.why_not[other] not in feedback  # only the chosen choice's rebuttal
        assert feedback.index(q.explanation[:40]) < feedback.index("Why not")
        # a right answer gets the explanation and no rebuttal
        nxt = next(i for i, later in enumerate(drawn) if i > first and later.kind == "choice")
        await press(pilot, "n")
        for between in drawn[first + 1 : nxt]:
            # an open answer left empty counts as skipped (a typed s would be text)
            await press(pilot, "ctrl+s" if between.kind == "open" else "s", "n")
        assert quiz.question is drawn[nxt]
        await press(pilot, str(int(drawn[nxt].answer) + 1))
        feedback = str(quiz.query_one("#quiz-feedback").render())
        assert "Right." in feedback
        assert "Why not" not in feedback

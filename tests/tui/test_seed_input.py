"""The home screen's seed field: a seed the run records cannot keep is refused where it is
typed, with the range, and no game starts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from chaosgame.game.records import RunStore
from chaosgame.scenario.model import SEED_MAX
from chaosgame.tui.app import ChaosApp
from chaosgame.tui.screens.home import HomeScreen
from tests.tui.conftest import LIBRARY, press, run_async, settle


@run_async
async def test_a_seed_over_64_bits_is_refused_at_the_seed_field(
    app_factory: Callable[..., ChaosApp], tmp_path: Path
) -> None:
    app = app_factory(store=RunStore(tmp_path / "runs.sqlite3"))
    async with app.run_test(size=(100, 34)) as pilot:
        await settle(pilot)
        await press(pilot, *LIBRARY, "s", *str(SEED_MAX + 1), "enter")
        assert isinstance(app.screen, HomeScreen)
        assert app.game is None
        said = [n.message for n in app._notifications]
        assert any(f"{SEED_MAX + 1} is out of range" in m and str(SEED_MAX) in m for m in said)
        assert app.focused is not None
        assert app.focused.id == "seed"  # back in the field to correct it

        await press(pilot, *["backspace"] * 30, *str(SEED_MAX), "enter")
        assert app.game is not None
        assert app.game.seed == SEED_MAX

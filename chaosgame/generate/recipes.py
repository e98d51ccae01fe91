"""Every recipe: importing this module registers the recipes of each ``recipes_*`` module."""

from __future__ import annotations

import importlib
import pkgutil

import chaosgame.generate as _package
from chaosgame.generate.plan import RECIPES

for _info in sorted(pkgutil.iter_modules(_package.__path__), key=lambda m: m.name):
    if _info.name.startswith("recipes_"):
        importlib.import_module(f"chaosgame.generate.{_info.name}")

__all__ = ["RECIPES"]

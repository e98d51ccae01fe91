"""Evaluating a policy over many incidents: ``chaosgame eval`` (``docs/eval.md``).

The top layer: it plays the game's strategy players (``chaosgame.game.strategies``) or a
user's policy over curated scenarios and generated incidents (``chaosgame.generate``), in
processes or on a Dask cluster, and sums up the scores.

* :mod:`~chaosgame.evaluate.incidents`: what ``--scenarios`` and ``--seeds`` name;
* :mod:`~chaosgame.evaluate.policies`: what ``--policy`` names, and one episode played;
* :mod:`~chaosgame.evaluate.harness`: every episode, in order, whatever runs them;
* :mod:`~chaosgame.evaluate.summary`: the table and the JSON;
* :mod:`~chaosgame.evaluate.command`: the ``eval`` command itself.
"""

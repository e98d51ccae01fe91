"""Proof that a scenario is fair and solvable, by playing it headless.

This package sits above the game: ``checker`` plays the reference solution, doing nothing and
red-herring variants through real sessions; ``recovery`` judges whether SLIs recovered and held
(deciding through the engine's outcome grading); ``signals`` finds the distinguishing evidence a
player can query. The scenario package below stays plain data and loading only.
"""

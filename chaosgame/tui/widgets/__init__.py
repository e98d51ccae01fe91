"""Reusable widgets of the chaosgame TUI (they render snapshots; they never hold game state)."""

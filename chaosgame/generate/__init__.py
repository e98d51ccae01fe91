"""Procedurally generated scenarios."""

"""Telemetry views over the simulation history."""

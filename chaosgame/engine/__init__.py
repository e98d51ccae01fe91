"""The simulation engine: world graph, ticks, faults, mitigations, SLO accounting."""

"""chaosgame: a distributed-systems troubleshooting training game."""

__version__ = "0.2.0"

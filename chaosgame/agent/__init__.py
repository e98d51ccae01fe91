"""The headless JSON-lines interface for programs and agents."""

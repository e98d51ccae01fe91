"""The game: sessions, actions, views and the text console."""

"""Classroom and interview sessions: one incident for a room, the answer kept on the host."""

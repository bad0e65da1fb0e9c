"""Writes of the marketing app (web forms, segments, call queues)."""

"""Learners, attempts and score exports on SQLite: `store`, `progress`, `export`."""

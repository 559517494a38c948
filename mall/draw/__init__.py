"""Draws: entries before a drop, winners drawn by a published, reproducible shuffle, unbought wins passed on."""

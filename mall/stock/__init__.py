"""The shared stock engine: holds in Redis for speed, the database as the record and the last guard."""

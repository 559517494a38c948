"""The email outbox every feature writes to: a row per email in the sender's own transaction, delivered by a job."""

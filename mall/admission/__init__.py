"""The waiting room: a drop's line in Redis, stock-aware admission, and the admission a hold needs while it runs."""

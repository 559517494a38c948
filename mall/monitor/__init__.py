"""The live drop monitor and the post-drop report.

`live` computes what a brand watches during a drop (shared by every tab through `shared_cache`),
`report` what it learns after (built by `jobs`, stored as JSON), and `activity_log` copies the
drop's per-minute activity counters from Redis into the database so reports outlive Redis.
"""

"""Background jobs (RQ). A job takes ids (and the tenant id for tenant data), never ORM objects,
and is safe to run twice. Enqueue with `mall.jobs.queues.enqueue`; `worker.py` runs them."""

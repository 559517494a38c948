"""Link jobs: move counted clicks into the database, and keep the redirect table in step with it."""

from mall.extensions import db
from mall.links.clicks import flush_clicks
from mall.links.redirects import sync_due, sync_links
from mall.links.table import link_table


def flush_link_clicks() -> dict[str, int]:
    """Every few seconds: clicks to hourly buckets; once a minute (or after Redis lost it) the table too."""
    table = link_table()
    moved = flush_clicks(db.session, table)
    synced = sync_links(db.session, table.redis) if sync_due(table.redis) else 0
    return {"clicks": moved, "links_synced": synced}


def sync_link_table() -> int:
    """Rebuild the redirect table now (a click found it empty, e.g. after Redis restarted)."""
    return sync_links(db.session, link_table().redis)

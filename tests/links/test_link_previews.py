"""A shared drop, brand or creator link previews the product on a social app: Open Graph and Twitter card
tags, every URL absolute on the mall's public address, and the price and end the page itself says."""

import io
from html.parser import HTMLParser
from urllib.parse import urlsplit

from mall.clock import iso_utc
from tests.links.conftest import click, make_link, ready_table
from tests.media.images import png

CRAWLER = "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)"


class _Meta(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and "content" in attrs and ("property" in attrs or "name" in attrs):
            self.tags[attrs.get("property") or attrs["name"]] = attrs["content"]
        if tag == "link" and attrs.get("rel") == "canonical":
            self.tags["canonical"] = attrs["href"]


def preview_tags(response) -> dict[str, str]:
    assert response.status_code == 200
    parser = _Meta()
    parser.feed(response.get_data(as_text=True))
    return parser.tags


def _absolute(url: str, base: str) -> bool:
    parts = urlsplit(url)
    return url.startswith(base.rstrip("/") + "/") and parts.scheme in ("http", "https") and bool(parts.netloc)


def _give_pictures(client, mall):
    client.login_as(mall.owner)
    product_id = mall.variants["north"].product_id
    sent = client.submit(f"/brands/north/products/{product_id}/image", {"image": (io.BytesIO(png(1600, 900)), "hero.png")})
    assert sent.status_code == 303
    sent = client.submit("/brands/sole/settings/images/banner", {"banner-image": (io.BytesIO(png(1400, 500)), "b.png")})
    assert sent.status_code == 303
    client.submit("/logout")


def test_the_drop_page_previews_the_product_with_its_picture_price_and_end(app, client, mall):
    _give_pictures(client, mall)
    drop = mall.drops["north"]
    base = app.config["PUBLIC_BASE_URL"]

    tags = preview_tags(client.get(f"/shop/north/drops/{drop.id}", headers={"User-Agent": CRAWLER}))

    assert tags["og:url"] == tags["canonical"] == f"{base}/shop/north/drops/{drop.id}"
    assert tags["og:title"] == f"{drop.title} · North Knits"
    assert tags["og:type"] == "product"
    assert tags["og:image"].endswith("-1280w.jpg") and _absolute(tags["og:image"], base)
    assert (tags["og:image:width"], tags["og:image:height"]) == ("1280", "720")
    assert tags["twitter:card"] == "summary_large_image" and tags["twitter:image"] == tags["og:image"]
    assert (tags["product:price:amount"], tags["product:price:currency"]) == ("40.00", "GBP")
    assert tags["product:availability"] == "in stock"
    assert tags["product:sale_price_dates:end"] == iso_utc(drop.ends_at)
    assert "£40.00 now · 10 left · ends" in tags["og:description"] == tags["twitter:description"]
    assert (tags["twitter:label1"], tags["twitter:data1"]) == ("Price", "£40.00")
    assert tags["twitter:label2"] == "Ends"
    image = client.get(urlsplit(tags["og:image"]).path)
    assert image.status_code == 200 and image.mimetype == "image/jpeg"


def test_the_brand_page_previews_the_brand_with_its_banner(app, client, mall):
    _give_pictures(client, mall)
    base = app.config["PUBLIC_BASE_URL"]

    tags = preview_tags(client.get("/shop/sole"))

    assert tags["og:url"] == f"{base}/shop/sole" and tags["og:title"] == "Sole Club on Flashmall"
    assert tags["og:image"].endswith("-1280w.jpg") and _absolute(tags["og:image"], base)
    assert tags["twitter:card"] == "summary_large_image"
    assert "1 drop live now." in tags["og:description"]


def test_a_shared_creator_link_lands_a_crawler_on_the_drops_preview(app, client, mall):
    _give_pictures(client, mall)
    link = make_link(mall.creator, mall.brands["north"], mall.drops["north"])
    ready_table()

    landed = click(client, link.code, agent=CRAWLER)
    assert landed.status_code == 302
    tags = preview_tags(client.get(landed.headers["Location"], headers={"User-Agent": CRAWLER}))

    base = app.config["PUBLIC_BASE_URL"]
    assert tags["og:url"] == f"{base}/shop/north/drops/{mall.drops['north'].id}"
    assert _absolute(tags["og:image"], base) and tags["product:price:amount"] == "40.00"


def test_a_brand_link_lands_on_the_brands_preview_and_a_drop_without_pictures_still_previews(app, client, mall):
    link = make_link(mall.creator, mall.brands["sole"], code="sole-fans")
    ready_table()
    landed = click(client, link.code, agent=CRAWLER)

    tags = preview_tags(client.get(landed.headers["Location"]))
    assert tags["og:url"] == f"{app.config['PUBLIC_BASE_URL']}/shop/sole"
    assert "og:image" not in tags and tags["twitter:card"] == "summary"

    drop_tags = preview_tags(client.get(f"/shop/plain/drops/{mall.drops['plain'].id}"))
    assert drop_tags["product:price:amount"] == "20.00" and "og:image" not in drop_tags


def test_the_preview_url_does_not_follow_the_host_a_request_names(app, client, mall):
    tags = preview_tags(client.get(f"/shop/north/drops/{mall.drops['north'].id}", headers={"Host": "evil.example"}))
    assert tags["og:url"].startswith(app.config["PUBLIC_BASE_URL"])

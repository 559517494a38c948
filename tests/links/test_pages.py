"""The creator's link pages (new link, results, chart, QR, copy) and the brand's view of its creators."""

import re
from datetime import timedelta

from sqlalchemy import func, select

from mall.extensions import db
from mall.links.clicks import flush_clicks
from mall.links.models import CreatorLink
from mall.links.table import link_table
from tests.links.conftest import check_out, click, hold, make_link
from tests.support import text_of


def links_count() -> int:
    return db.session.scalar(select(func.count(CreatorLink.id)))


def test_a_creator_makes_a_named_link_to_a_live_drop(client, mall):
    client.login_as(mall.creator)
    form = client.get("/creators/links/new")
    assert form.status_code == 200
    choices = form.get_data(as_text=True)
    assert f'value="d:{mall.brands["north"].id}:{mall.drops["north"].id}"' in choices
    assert "Plain Goods" not in choices  # not in that brand's programme

    response = client.submit(
        "/creators/links/new", {"target": f"d:{mall.brands['north'].id}:{mall.drops['north'].id}", "code": " Ada-Knits "}
    )
    assert response.status_code == 303
    link = db.session.scalar(select(CreatorLink))
    assert (link.code, link.drop_id, link.tenant_id) == ("ada-knits", mall.drops["north"].id, mall.brands["north"].id)
    page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert 'value="http://localhost/c/ada-knits"' in html and "readonly" in html
    assert 'data-copy-target="share-url" hidden' in html and "js/links.js" in html
    assert f"/creators/links/{link.id}/qr.svg" in html and "Download PNG" in html
    assert click(client, "ada-knits").headers["Location"] == f"/shop/north/drops/{mall.drops['north'].id}"


def test_without_a_custom_name_the_link_gets_a_short_random_code(client, mall):
    client.login_as(mall.creator)
    response = client.submit("/creators/links/new", {"target": f"b:{mall.brands['sole'].id}", "code": ""})
    assert response.status_code == 303
    code = db.session.scalar(select(CreatorLink.code))
    assert re.fullmatch(r"[a-z2-9]{7}", code)
    assert click(client, code).headers["Location"] == "/shop/sole"


def test_a_taken_name_is_refused_and_nothing_is_saved(client, mall):
    make_link(mall.creator, mall.brands["north"], code="knit-drop")
    client.login_as(mall.creator)
    response = client.submit("/creators/links/new", {"target": f"b:{mall.brands['north'].id}", "code": "KNIT-drop"})
    assert response.status_code == 422
    assert "Another link already uses that name" in text_of(response)
    assert links_count() == 1


def test_links_only_to_approved_brands_and_open_drops(client, make, mall):
    ended = make.drop(mall.brands["north"], [mall.variants["north"]], starts_in=timedelta(hours=-3), lasts=timedelta(hours=1), tiers=())
    client.login_as(mall.creator)
    for target in (
        f"b:{mall.brands['plain'].id}",  # not approved by Plain Goods
        f"d:{mall.brands['plain'].id}:{mall.drops['plain'].id}",
        f"d:{mall.brands['north'].id}:{ended.id}",  # over
        f"d:{mall.brands['north'].id}:{mall.drops['plain'].id}",  # another brand's drop under this brand
        "b:not-a-number",
        "",
    ):
        response = client.submit("/creators/links/new", {"target": target, "code": ""})
        assert response.status_code == 422, target
    assert links_count() == 0


def test_the_dashboard_shows_clicks_visitors_orders_conversion_revenue_and_commission(app, client, mall):
    link = make_link(mall.creator, mall.brands["north"], mall.drops["north"], code="ada-north")
    shopper = app.test_client()
    click(shopper, link.code)
    for n in range(3):
        click(app.test_client(), link.code, ip=f"10.0.0.{n + 10}")
    hold(shopper, mall, "north", qty=2)
    check_out(shopper, mall)
    flush_clicks(db.session, link_table())

    client.login_as(mall.creator)
    row = re.search(r'<tr id="link-%d">(.*?)</tr>' % link.id, client.get("/creators").get_data(as_text=True), re.S).group(1)
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    assert cells == ["/c/ada-north", "Drop: " + mall.drops["north"].title, "4", "4", "1", "25.0%", "£80.00", "£8.00"]

    page = client.get(f"/creators/links/{link.id}")
    text = text_of(page)
    assert "4 clicks" in text and "4 unique visitors" in text and "1 order " in text and "£8.00 commission" in text
    html = page.get_data(as_text=True)
    assert html.count('class="bar"') == 14 and html.count('class="order-dot"') == 1
    assert re.search(r"<td>[A-Z][a-z]{2} \d\d [A-Z][a-z]{2}</td><td class=\"num\">4</td><td class=\"num\">1</td>", html)


def test_qr_codes_download_as_svg_and_png(client, mall):
    link = make_link(mall.creator, mall.brands["north"])
    client.login_as(mall.creator)
    svg = client.get(f"/creators/links/{link.id}/qr.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
    assert f"http://localhost/c/{link.code}".encode() in svg.data  # its title names the address it encodes
    png = client.get(f"/creators/links/{link.id}/qr.png?download=1")
    assert png.mimetype == "image/png" and png.data.startswith(b"\x89PNG\r\n\x1a\n")
    assert png.headers["Content-Disposition"] == f'attachment; filename="flashmall-{link.code}.png"'


def test_another_creators_link_pages_are_404(client, make, mall):
    link = make_link(mall.creator, mall.brands["north"])
    other = make.user(email="other.creator@example.com", creator=True)
    client.login_as(other)
    for url in (f"/creators/links/{link.id}", f"/creators/links/{link.id}/qr.svg", f"/creators/links/{link.id}/qr.png"):
        assert client.get(url).status_code == 404


def test_non_creators_are_sent_to_join_and_cannot_post(client, make, mall):
    client.login_as(mall.owner)
    assert client.get("/creators/links/new").headers["Location"] == "/creators/join"
    response = client.submit("/creators/links/new", {"target": f"b:{mall.brands['north'].id}", "code": ""})
    assert response.status_code == 403
    assert links_count() == 0


def test_the_brand_sees_its_creators_their_links_and_results(app, client, mall):
    link = make_link(mall.creator, mall.brands["north"], mall.drops["north"], code="ada-north")
    shopper = app.test_client()
    click(shopper, link.code)
    hold(shopper, mall, "north")
    hold(shopper, mall, "sole")
    check_out(shopper, mall)
    flush_clicks(db.session, link_table())

    client.login_as(mall.owner)
    assert "Creators" in text_of(client.get("/brands/north/"))
    index = client.get("/brands/north/creators").get_data(as_text=True)
    row = re.search(r'<tr id="creator-\d+">(.*?)</tr>', index, re.S).group(1)
    cells = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", c)).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    assert cells == ["Ada Creator ada@example.com", "approved", "10%", "24 h", "1", "1", "£40.00", "£4.00"]

    partnership_id = re.search(r"/brands/north/creators/(\d+)", index).group(1)
    detail = text_of(client.get(f"/brands/north/creators/{partnership_id}"))
    assert "/c/ada-north" in detail and "£40.00" in detail and "£4.00" in detail

    sole = text_of(client.get("/brands/sole/creators"))  # sole credits the same order at its own 5 %
    assert "£90.00" in sole and "£4.50" in sole

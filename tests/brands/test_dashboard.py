from datetime import timedelta

from tests.support import text_of


def test_overview_counts_products_and_live_and_upcoming_drops(client, make):
    owner = make.user()
    brand = make.brand(owner=owner, name="Fizz Labs")
    product = make.product(brand)
    make.product(brand)
    make.drop(brand, product.variants, starts_in=timedelta(minutes=-5), title="Midnight Fizz")
    make.drop(brand, product.variants, starts_in=timedelta(hours=2), title="Morning Fizz")
    make.drop(brand, product.variants, starts_in=timedelta(hours=-3), lasts=timedelta(hours=1), title="Old Fizz")
    make.drop(brand, product.variants, starts_in=timedelta(hours=5), status="cancelled", title="Called Off")
    other = make.brand(owner=make.user())
    make.product(other)
    make.drop(other, make.product(other).variants, title="Someone Else's Drop")
    client.login_as(owner)

    response = client.get(f"/brands/{brand.slug}/")

    text = text_of(response)
    assert response.status_code == 200
    assert "Fizz Labs" in text
    assert "2 products" in text
    assert "1 live now" in text
    assert "1 upcoming" in text
    assert "Midnight Fizz" in text and "Morning Fizz" in text
    assert "Old Fizz" not in text and "Called Off" not in text and "Someone Else" not in text


def test_a_support_member_sees_the_overview_with_their_role(client, make):
    brand = make.brand(owner=make.user(), name="Fizz Labs")
    helper = make.member(brand, role="support")
    client.login_as(helper)

    response = client.get(f"/brands/{brand.slug}/")

    assert response.status_code == 200
    assert "You are support of this brand" in text_of(response)
    assert f'href="/brands/{brand.slug}/members"' in response.get_data(as_text=True)
    assert "No live or upcoming drops yet." in text_of(response)

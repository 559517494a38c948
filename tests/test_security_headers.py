"""Every answer tells the browser not to sniff, frame or leak it, and which scripts may run."""

from mall import create_app

EXPECTED = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


def test_pages_errors_and_probes_all_carry_the_security_headers(client):
    for path, status in (("/", 200), ("/healthz", 200), ("/shop/no-such-brand", 404)):
        response = client.get(path)
        assert response.status_code == status, path
        for name, value in EXPECTED.items():
            assert response.headers.getlist(name) == [value], (path, name)
        [policy] = response.headers.getlist("Content-Security-Policy")
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert "HX-Request" in response.headers["Vary"]  # htmx fragments and full pages are cached apart


def test_a_view_that_sets_its_own_header_keeps_it(app):
    stores = {key: app.config[key] for key in ("SQLALCHEMY_DATABASE_URI", "REDIS_URL")}
    own = create_app(stores)

    @own.get("/_embeddable")
    def embeddable():
        return "ok", 200, {"X-Frame-Options": "SAMEORIGIN", "content-security-policy": "default-src 'none'"}

    response = own.test_client().get("/_embeddable")
    assert response.headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]
    assert response.headers.getlist("Content-Security-Policy") == ["default-src 'none'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"

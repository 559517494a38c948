"""The session cookie is checked only when a request looks inside the session: same rules, less work."""

from flask import session

from mall import sessions


def _count_loads(monkeypatch) -> list:
    loads, real = [], sessions.LazyCookieSession._ensure_loaded

    def counting(self):
        if not self.loaded:
            loads.append(1)
        real(self)

    monkeypatch.setattr(sessions.LazyCookieSession, "_ensure_loaded", counting)
    return loads


def _signed_in_session(client) -> str:
    with client.session_transaction() as stored:
        stored["note"] = "kept"
    return client.get_cookie("session").value


def test_a_request_that_never_reads_the_session_neither_decodes_nor_rewrites_its_cookie(app, client, monkeypatch):
    cookie = _signed_in_session(client)
    loads = _count_loads(monkeypatch)

    response = client.get("/healthz")

    assert response.status_code == 200 and loads == []
    assert not any(line.startswith("session=") for line in response.headers.getlist("Set-Cookie"))
    assert client.get_cookie("session").value == cookie


def test_reading_and_writing_the_lazy_session_behaves_as_flasks_own(app, client, monkeypatch):
    cookie = _signed_in_session(client)
    loads = _count_loads(monkeypatch)

    with app.test_request_context("/", headers={"Cookie": f"session={cookie}"}):
        assert loads == []
        assert session["note"] == "kept" and "note" in session and dict(session) == {"note": "kept"}
        session["more"] = 1
        assert session.modified and loads == [1]


def test_a_forged_session_cookie_reads_as_an_empty_session(app):
    with app.test_request_context("/", headers={"Cookie": "session=eyJub3RlIjoiZm9yZ2VkIn0.forged.signature"}):
        assert dict(session) == {} and session.get("note") is None and not session.modified


def test_logging_in_and_out_still_works_through_the_lazy_session(client, make):
    user = make.user(email="ada@example.com", password="correct horse battery")
    page = client.get("/login")
    assert page.status_code == 200

    response = client.submit("/login", {"email": "ada@example.com", "password": "correct horse battery"})
    assert response.status_code in (302, 303)
    with client.session_transaction() as stored:
        assert stored["_user_id"] == str(user.id)
    client.submit("/logout")
    with client.session_transaction() as stored:
        assert "_user_id" not in stored

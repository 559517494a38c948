"""A simulated shopper over plain HTTP (stdlib only): its own cookies, keep-alive connections per thread."""

import html
import http.client
import re
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

_local = threading.local()
CLOSED_BY_SERVER = (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected)
STALE_RETRIES: list = []  # one entry per retried stale keep-alive socket (reported by the storm)
IDLE_RECONNECT_S = 1.0  # never reuse an idle socket the server may have closed (gunicorn closed them after 2 s)


@dataclass
class Reply:
    status: int
    headers: dict
    body: str

    @property
    def location(self) -> str:
        return self.headers.get("location", "")


def _connection(base: str, fresh: bool = False) -> http.client.HTTPConnection:
    conns = getattr(_local, "conns", None)
    if conns is None:
        conns = _local.conns = {}
    conn, used = conns.get(base, (None, 0.0))
    if conn is None or fresh or time.monotonic() - used > IDLE_RECONNECT_S:
        if conn is not None:
            conn.close()
        parts = urlsplit(base)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    conns[base] = (conn, time.monotonic())
    return conn


def field_value(page: str, name: str) -> str:
    """The value of the form input named `name` (attribute order does not matter)."""
    for tag in re.findall(r"<input\b[^>]*>", page):
        if re.search(rf'\bname="{re.escape(name)}"', tag):
            found = re.search(r'\bvalue="([^"]*)"', tag)
            return html.unescape(found.group(1)) if found else ""
    return ""


@dataclass
class Shopper:
    base: str
    number: int
    cookies: dict = field(default_factory=dict)
    hold_token: str = ""  # the add-to-cart forms' token, bound to this shopper's cart cookie
    holding: int = 0  # holds this shopper believes it has (the checkout page says what is really there)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def email(self) -> str:
        return f"shopper{self.number}@surge-bench.net"

    def request(self, method: str, path: str, form: dict | None = None, htmx: bool = False, fresh=False) -> Reply:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if htmx:
            headers["HX-Request"] = "true"
        for attempt in (1, 2):
            conn = _connection(self.base, fresh)
            reused = conn.sock is not None
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                text = response.read().decode("utf-8", "replace")
                break
            except (http.client.HTTPException, OSError) as error:
                conn.close()
                # The keep-alive race: the server closed an idle socket just as we wrote to it, so it read
                # nothing; one retry on a new socket, as HTTP clients do. Anything else is an error.
                if not (reused and attempt == 1 and isinstance(error, CLOSED_BY_SERVER)):
                    raise
                STALE_RETRIES.append(1)
        self._remember(response.headers.get_all("Set-Cookie") or [])
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, text)

    def _remember(self, set_cookies: list[str]) -> None:
        with self.lock:
            for line in set_cookies:
                name, _, value = line.split(";", 1)[0].partition("=")
                if "max-age=0" in line.lower() or "expires=thu, 01 jan 1970" in line.lower():
                    self.cookies.pop(name.strip(), None)
                else:
                    self.cookies[name.strip()] = value.strip()

    # -- what a shopper does -----------------------------------------------------------------------
    def visit(self, drop_path: str) -> None:
        """Open the drop page: the cart cookie and its add-to-cart token (browsing starts no session)."""
        page = self.request("GET", drop_path)
        if page.status != 200:
            raise RuntimeError(f"drop page answered {page.status}")
        self.hold_token = field_value(page.body, "hold_token")

    def hold(self, drop_id: int, variant_id: int, quantity: int = 1) -> Reply:
        form = {"hold_token": self.hold_token, "drop_id": drop_id, "variant_id": variant_id, "quantity": quantity}
        return self.request("POST", "/cart/holds", form, htmx=True)

    def checkout_form(self, pickup_hub_id: int, payment_provider: str = "pay_on_handover") -> dict | None:
        """GET /checkout (which extends the holds once) and fill in its form; None when nothing is held."""
        page = self.request("GET", "/checkout")
        holds = field_value(page.body, "holds")
        if page.status != 200 or not holds:
            return None
        return {
            "csrf_token": field_value(page.body, "csrf_token"),
            "idempotency_key": field_value(page.body, "idempotency_key"),
            "holds": holds,
            "name": f"Shopper {self.number}",
            "email": self.email,
            "fulfilment": "pickup",
            "pickup_hub_id": pickup_hub_id,
            "delivery_address": "",
            "postcode": "",
            "payment_provider": payment_provider,
            "csrf_for_payment": field_value(page.body, "csrf_token"),
        }

    def place_order(self, form: dict) -> Reply:
        return self.request("POST", "/checkout", {k: v for k, v in form.items() if k != "csrf_for_payment"})

    def pay_on_test_page(self, pay_path: str, csrf_token: str, card_number: str) -> Reply:
        """The built-in test provider's page: 303 to the order page when paid, 402 when declined."""
        return self.request("POST", pay_path, {"csrf_token": csrf_token, "card_number": card_number})

    def cancel_payment(self, pay_path: str, csrf_token: str) -> Reply:
        return self.request("POST", pay_path + "/cancel", {"csrf_token": csrf_token})

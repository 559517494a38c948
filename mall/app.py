"""The application factory."""

from flask import Flask, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.exceptions import HTTPException

from mall import redis_setup, request_checks
from mall.extensions import csrf, db, htmx, limiter, login_manager, migrate
from mall.ids import IdConverter
from mall.settings import INSTANCE_DIR, PROJECT_ROOT, load_settings


def build_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        "mall",
        root_path=str(PROJECT_ROOT / "mall"),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(INSTANCE_DIR),
    )
    app.config.update(load_settings())
    if test_config:
        app.config.update(test_config)

    app.url_map.converters["id"] = IdConverter  # before any blueprint's rules use <id:...>
    _connect_redis(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), compare_type=True, render_as_batch=True)
    login_manager.init_app(app)
    app.before_request(request_checks.refuse_unreadable_input)  # before CSRF and rate limits, which read the body
    csrf.init_app(app)
    htmx.init_app(app)
    limiter.init_app(app)

    _register_models()
    import mall.accounts.login  # noqa: F401  (user loader)
    _register_blueprints(app)
    _connect_stock(app)
    _connect_media(app)
    _register_errors(app)
    _register_hooks(app)

    from mall import cli

    cli.register(app)
    return app


def _connect_redis(app: Flask) -> None:
    url = app.config["REDIS_URL"]
    if not url:
        server = redis_setup.embedded_redis()
        app.extensions["flashmall.embedded_redis"] = server
        url = app.config["REDIS_URL"] = redis_setup.redis_url_for(server)
    app.extensions["flashmall.redis"] = redis_setup.connect(url)
    app.config.setdefault("RATELIMIT_STORAGE_URI", redis_setup.limiter_storage_uri(url))
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)


def _connect_stock(app: Flask) -> None:
    from mall.drops.stock import drop_terms
    from mall.stock import access

    access.init_app(app, drop_terms)


def _connect_media(app: Flask) -> None:
    from mall.media import storage

    storage.init_app(app)


def _register_models() -> None:
    import mall.accounts.models  # noqa: F401
    import mall.admission.models  # noqa: F401
    import mall.alerts.models  # noqa: F401
    import mall.media.models  # noqa: F401
    import mall.catalog.models  # noqa: F401
    import mall.stock.models  # noqa: F401
    import mall.drops.models  # noqa: F401
    import mall.hubs.models  # noqa: F401
    import mall.fulfilment.models  # noqa: F401
    import mall.links.models  # noqa: F401
    import mall.monitor.models  # noqa: F401
    import mall.orders.models  # noqa: F401
    import mall.outbox.models  # noqa: F401
    import mall.payments.models  # noqa: F401
    import mall.support.models  # noqa: F401
    import mall.waitlist.models  # noqa: F401
    import mall.draw.models  # noqa: F401
    import tenants.models  # noqa: F401


def _register_blueprints(app: Flask) -> None:
    from mall.accounts.blueprint import bp as accounts_bp
    from mall.brands.blueprint import bp as brands_bp
    from mall.brands.onboarding import bp as onboarding_bp
    from mall.catalog.blueprint import bp as catalog_bp
    from mall.checkout.blueprint import bp as checkout_bp
    from mall.drops.blueprint import bp as drops_bp
    from mall.health.blueprint import bp as health_bp
    from mall.operator.blueprint import bp as operator_bp
    from mall.orders.blueprint import bp as orders_bp
    from mall.storefront.blueprint import bp as storefront_bp

    from mall.fulfilment.blueprint import bp as fulfilment_bp
    from mall.links.blueprint import bp as links_bp
    from mall.monitor.blueprint import bp as monitor_bp
    from mall.support.blueprint import bp as support_bp

    for bp in (fulfilment_bp, links_bp, monitor_bp, support_bp):
        app.register_blueprint(bp)
    for bp in (
        health_bp, storefront_bp, checkout_bp, accounts_bp, onboarding_bp, brands_bp, catalog_bp, drops_bp, orders_bp,
        operator_bp,
    ):
        app.register_blueprint(bp)

    from mall.alerts.blueprint import bp as alerts_bp
    from mall.alerts.operator_views import bp as operator_alerts_bp

    app.register_blueprint(alerts_bp)
    app.register_blueprint(operator_alerts_bp)

    from mall.waitlist.blueprint import bp as waitlist_bp

    app.register_blueprint(waitlist_bp)
    from mall.media.blueprint import bp as media_bp

    app.register_blueprint(media_bp)
    from mall.draw.blueprint import bp as draw_bp
    from mall.draw.brand_views import bp as draws_bp

    app.register_blueprint(draw_bp)
    app.register_blueprint(draws_bp)
    from mall.payments.blueprint import bp as payments_bp
    from mall.payments.operator_views import bp as operator_payments_bp

    app.register_blueprint(payments_bp)
    app.register_blueprint(operator_payments_bp)
    from mall.admission.blueprint import bp as admission_bp, operator_bp as operator_admission_bp

    app.register_blueprint(admission_bp)
    app.register_blueprint(operator_admission_bp)


def _register_errors(app: Flask) -> None:
    limit_kb = (app.config.get("MAX_CONTENT_LENGTH") or 0) // 1024
    too_large = f"That was too large to accept: a request may carry at most {limit_kb} KB." if limit_kb else None
    messages = {
        400: "That request could not be understood.",
        403: "You do not have permission to do that.",
        404: "We could not find that page.",
        405: "That action is not allowed here.",
        413: too_large or "That was too large to accept.",
        429: "Too many requests right now.",
        500: "Something went wrong on our side. Nothing you sent was lost; please try again.",
    }

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return _error_page(400, "Your form expired or was not sent from this site. Please reload and try again.")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.response is not None:  # a page built for this error (the login form when throttled)
            return error.response
        custom = error.code in (400, 415) and error.description != type(error).description
        message = error.description if custom else messages.get(error.code, error.description)
        if error.code == 413:
            message = request_checks.too_large_message(message)
        response = _error_page(error.code or 500, message)
        if error.code == 429:
            retry = getattr(error, "retry_after", None) or 1
            response.headers["Retry-After"] = str(int(retry))
        return response

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return http_error(error)
        app.logger.exception("Unhandled error")
        db.session.rollback()
        return _error_page(500, messages[500])


def _error_page(code: int, message: str):
    template = "errors/_error.html" if request.htmx else "errors/error.html"
    try:
        body = render_template(template, code=code, message=message)
    except Exception:  # the error page itself must never become a stack trace
        db.session.rollback()
        body = f"<h1>{code}</h1><p>{message}</p>"
    return make_response(body, code)


def _register_hooks(app: Flask) -> None:
    from mall import templating
    from tenants.dashboard import release_tenant

    templating.register(app)
    app.teardown_request(release_tenant)

    headers = _security_headers(app.config)

    @app.after_request
    def security_headers(response):
        for name, value in headers:
            response.headers.setdefault(name, value)
        response.vary.add("HX-Request")
        return response


SECURITY_HEADERS = (  # each one unless the view set its own
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    (
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
    ),
)


def _security_headers(config) -> tuple:
    """The headers, with the image bucket's origin allowed for images when pictures are served from one."""
    from mall.media.storage import media_origin

    origin = media_origin(config)
    if origin is None:
        return SECURITY_HEADERS
    return tuple(
        (name, value.replace("img-src 'self' data:", f"img-src 'self' data: {origin}")) for name, value in SECURITY_HEADERS
    )


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    # SQLite enforces foreign keys only when asked; WAL lets readers run beside a writer.
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()

"""Matchmaker web platform: ``create_app`` builds the Flask app in small named steps.

Flask and the ORM are imported inside the steps, so ``matchmaker solve`` (the same package)
starts without loading the web stack.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

__all__ = ["create_app"]


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """The app; ``test_config`` (a plain dict) overrides defaults and environment."""
    from flask import Flask

    from matchmaker.config import load_config

    app = Flask(
        __name__,
        template_folder="../templates",
        static_folder="../static",
        instance_relative_config=True,
    )
    load_config(app, test_config)
    register_proxy(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_commands(app)
    return app


def register_proxy(app: Flask) -> None:
    """Behind nginx, trust ``PROXY_FIX_X_FOR`` proxies for the client address: the login limit
    counts failures per client address, and without this every client shares the proxy's."""
    hops = int(app.config.get("PROXY_FIX_X_FOR") or 0)
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]


def register_extensions(app: Flask) -> None:
    from matchmaker import db
    from matchmaker.extensions import babel, csrf, login_manager
    from matchmaker.i18n import select_locale, select_timezone
    from matchmaker.services.audit_anchor import register as register_audit_anchor
    from matchmaker.web.users import load_user

    db.init_app(app)
    register_audit_anchor(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"


def register_blueprints(app: Flask) -> None:
    """Routes take row ids as ``<id:name>``: positive and within a database integer, so an
    absurd id in a URL is a 404, not a database overflow.

    An id out of range reaches the view as 0, which no row has (the view answers 404). Refusing
    it in the converter instead made Werkzeug answer 405 when another method shares the path
    (``PUT /api/v1/offers/99999999999``: the GET rule's method was checked before the PUT
    rule's converter), a status the API document does not list."""
    from werkzeug.routing import IntegerConverter

    class IdConverter(IntegerConverter):
        def __init__(self, url_map, *args, **kwargs):  # type: ignore[no-untyped-def]
            super().__init__(url_map)

        def to_python(self, value: str) -> int:
            number = int(value)
            return number if 1 <= number <= 2**31 - 1 else 0

    app.url_map.converters["id"] = IdConverter
    from matchmaker import api
    from matchmaker.web import (
        admin,
        api_docs,
        auth,
        bulk,
        catalog,
        contracts,
        freight,
        inbox,
        listings,
        main,
        matching,
        monitoring,
        monitoring_members,
        tokens,
    )

    for module in (main, auth, listings, catalog, admin, api, matching, contracts, inbox, monitoring,
                   monitoring_members, tokens, bulk, api_docs, freight):
        app.register_blueprint(module.bp)


def register_errorhandlers(app: Flask) -> None:
    from matchmaker.web.errors import register

    register(app)


def register_template_helpers(app: Flask) -> None:
    from matchmaker.i18n import register_filters

    register_filters(app)


def register_commands(app: Flask) -> None:
    """Operator commands: ``flask --app wsgi <command>`` (the ``matchmaker`` CLI is separate)."""
    from matchmaker.commands import register

    register(app)

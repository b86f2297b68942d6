"""The app factory: ``create_app(config)`` builds one independent dashboard."""

from __future__ import annotations

import re

import dash_bootstrap_components as dbc
from dash import Dash, dcc, html
from dash.exceptions import DependencyException
from flask import request
from flask_caching import Cache
from flask_compress import Compress

from callbacks import customers, filters, overview, products, routing, segments
from components.layout import navbar
from dashboard import ids
from dashboard.config import ASSETS, Config
from dashboard.data import BundleError, DataAccess
from dashboard.pages import PAGE_PATHS, page_path

CALLBACK_MODULES = (routing, filters, overview, segments, customers, products)


def shell() -> html.Div:
    """What every page shares: the URL, the navigation bar and the page slot."""
    return html.Div(
        [
            dcc.Location(id=ids.URL, refresh="callback-nav"),
            dcc.Store(id=ids.URL_WRITTEN),
            navbar(),
            dbc.Container(html.Div(id=ids.PAGE), fluid="xl", className="pb-4"),
        ]
    )


def _security_headers(response):
    """No other site may frame the dashboard (clickjacking), and browsers take
    each file as the type it is served with."""
    response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    response.headers.setdefault("Content-Security-Policy", "frame-ancestors 'self'")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def _compress(app: Dash) -> None:
    """Compress what the server sends (zstd, Brotli or gzip, whichever the
    browser takes): a first visit's scripts and styles shrink from 4.0 to
    1.2 MB, and the overview's figures from 12 to 3 kB.

    Files from ``assets/`` go out as streams that browsers check again on every
    load (``Cache-Control: no-cache``, as the lazily loaded plotly.js has no
    version in its URL). A compressed file gets its own ETag (``…:zstd``), so
    flask-compress must answer that check itself: otherwise the ETag never
    matches and every reload sends plotly.js (0.7 MB) again."""
    server = app.server
    # flask-compress leaves gzip out for streamed responses by default: a proxy
    # that asks for gzip only got plotly.js (2.0 MB) uncompressed.
    server.config["COMPRESS_ALGORITHM_STREAMING"] = ["zstd", "br", "gzip", "deflate"]
    server.config["COMPRESS_STREAMING_ENDPOINT_CONDITIONAL"] = [
        rule.endpoint
        for rule in server.url_map.iter_rules()
        if rule.endpoint.endswith("dash_assets.static")
    ]
    Compress(server)


def _not_a_page(app: Dash):
    """An ``after_request`` hook: Dash answers every path with its page shell, so
    an unknown address (``/nope``) gets the shell's "no page here" message with
    status 404, not 200, for crawlers, link checkers and monitoring."""
    prefix = app.config.routes_pathname_prefix.rstrip("/")

    def hook(response):
        path = request.path
        if (
            request.method in ("GET", "HEAD")  # link checkers ask with HEAD
            and response.status_code == 200
            and response.mimetype == "text/html"
            and path.startswith(prefix)
            and page_path(path[len(prefix) :]) not in PAGE_PATHS
        ):
            response.status_code = 404
        return response

    return hook


def _no_such_file(_exc):
    """A component file Dash does not serve (``/_dash-component-suites/…``): 404,
    not a 500 and a traceback in the log for anyone who asks."""
    return "Not found", 404, {"Content-Type": "text/plain; charset=utf-8"}


# Served from assets/ but not loaded up front with the others: dcc.Graph loads
# the plotly.js bundle lazily (assets/00-plotly-loader.js), and the regenerator
# runtime takes the place of Dash's polyfill (see ``_Dash``).
PLOTLY_BUNDLE = "00-plotly-custom.min.js"
REGENERATOR = "01-regenerator-runtime.js"
_NOT_UP_FRONT = rf"^({re.escape(PLOTLY_BUNDLE)}|{re.escape(REGENERATOR)})$"


class _Dash(Dash):
    """Dash with three changes to the page it serves.

    - Its config names no Python version (``sys.version``, with its build date
      and compiler, on every page) unless the debug tools, which show it, are on.
    - Dash's @babel/polyfill (core-js 2 for browsers from before 2017, and the
      regenerator runtime its bundles call) is replaced by the regenerator runtime
      alone. Every browser that runs this plotly.js (4.x, ES2016) has the rest
      built in, and core-js took 130 ms of a cold visit's main thread while the
      page started: without it the overview's content showed in 0.71–0.72 s
      instead of 0.80–0.81 s (``benchmarks/first_page.py``, two rounds of 5).
    - dash_table's bundle is not loaded: Dash lists it on every page because
      ``import dash`` registers it, and no page has a DataTable (a test says so,
      ``test_no_page_needs_dash_table``). It took 19 ms of a cold visit's main
      thread to run, and a request.
    """

    def _config(self):
        config = super()._config()
        if not config.get("ui"):
            config.pop("python_version", None)
        return config

    def _collect_and_register_resources(self, resources, *args, **kwargs):
        srcs = super()._collect_and_register_resources(resources, *args, **kwargs)
        return [
            self.get_asset_url(REGENERATOR)
            if isinstance(src, str) and "/deps/polyfill@" in src
            else src
            for src in srcs
            if not (isinstance(src, str) and "/dash/dash_table/" in src)
        ]


def create_app(config: Config | None = None) -> Dash:
    """A Dash app serving the bundle named in ``config`` (default: from the
    environment). A missing or damaged bundle is not an error: pages say what is
    wrong, the log how to build one, and it is read again once rebuilt."""
    config = config or Config.from_env()
    app = _Dash(
        __name__,
        title="Shopper Spectrum",
        assets_folder=str(ASSETS),
        assets_ignore=_NOT_UP_FRONT,
        update_title=None,
        suppress_callback_exceptions=True,
        serve_locally=True,
        meta_tags=[
            {"name": "viewport", "content": "width=device-width, initial-scale=1"},
            {"name": "description", "content": "Customer segments and sales insight"},
        ],
    )
    # The web-app manifest lets a tablet add the dashboard to its home screen.
    manifest = app.get_asset_url("manifest.json")
    app.index_string = app.index_string.replace(
        "{%favicon%}", f'{{%favicon%}}\n        <link rel="manifest" href="{manifest}">'
    )
    if config.redis_url:
        try:
            import redis  # noqa: F401 - flask-caching's RedisCache needs it
        except ImportError:
            raise RuntimeError(
                "SHOPPER_REDIS_URL is set but the redis package is not installed: "
                "pip install redis, or unset SHOPPER_REDIS_URL for the in-process "
                "cache"
            ) from None
    _compress(app)
    app.server.after_request(_security_headers)
    app.server.after_request(_not_a_page(app))
    app.server.register_error_handler(DependencyException, _no_such_file)
    cache = Cache(app.server, config=config.cache_config())
    data = DataAccess(config.bundle_dir, cache=cache, timeout=config.cache_timeout)
    app.server.config["SHOPPER"] = config
    # For scripts and benchmarks that need the same data access as the callbacks.
    app.server.config["SHOPPER_DATA"] = data
    app.layout = shell
    try:  # read the bundle now, so the first visitor does not wait for it
        data.bundle()
    except BundleError:  # logged; the pages say what is wrong, and it is retried
        pass
    for module in CALLBACK_MODULES:
        module.register(app, data)
    # Dash learns which script files it may serve on its first request, and a
    # worker's other threads do not wait for that: a first visit's script request
    # racing it was refused (the page stuck at "Loading…", under gunicorn with
    # threads). One request now, before any visitor's.
    app.server.test_client().get("/")
    return app

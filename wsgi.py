"""``server`` for gunicorn (``gunicorn wsgi:server``; see the README)."""

import sys

from dashboard.config import Config, SettingError

try:
    from dashboard.app import create_app

    server = create_app(Config.from_env(served_by_wsgi=True)).server
except SettingError as exc:
    # One line naming the setting, not a traceback: gunicorn then stops with
    # "Worker failed to boot".
    print(f"error: {exc}", file=sys.stderr, flush=True)
    raise SystemExit(3) from None

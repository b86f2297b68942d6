"""``python -m dashboard``: build the demo bundle if there is none, then serve."""

from __future__ import annotations

import sys

from dashboard.config import Config, SettingError


def main() -> int:
    from analytics.build import ensure_demo_bundle
    from analytics.errors import InputError

    try:
        config = Config.from_env()
    except SettingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        ensure_demo_bundle(config.bundle_dir, rows=config.demo_rows)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from dashboard.app import create_app

    try:
        app = create_app(config)
    except RuntimeError as exc:  # a setting that cannot work, said plainly
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"Serving {config.bundle_dir} at http://{config.host}:{config.port}/")
    app.run(host=config.host, port=config.port, debug=config.debug)
    return 0


if __name__ == "__main__":
    sys.exit(main())

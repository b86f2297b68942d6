"""Dashboard settings: one place, each overridable by an environment variable."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ASSETS = ROOT / "assets"

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class SettingError(ValueError):
    """An environment variable the dashboard cannot use (says which, and why)."""


def _flag(env, name: str) -> bool:
    """``env[name]`` as on or off (off if unset); refused unless a word for one
    (a typo such as "ture" turned debug mode silently off)."""
    text = (env.get(name) or "").strip().lower()
    if text in _TRUE:
        return True
    if not text or text in _FALSE:
        return False
    raise SettingError(
        f"{name} must be 1, true, yes or on to turn it on, or 0, false, no or off "
        f"(got {env[name]!r})"
    )


def _redis_url(text: str | None) -> str | None:
    """``SHOPPER_REDIS_URL`` (None when unset); refused unless it is a URL the
    Redis client reads (it raised a traceback from inside flask-caching)."""
    if not text or not text.strip():
        return None
    if not text.strip().startswith(("redis://", "rediss://", "unix://")):
        raise SettingError(
            "SHOPPER_REDIS_URL must be a Redis URL such as redis://localhost:6379/0 "
            f"(redis://, rediss:// or unix://; got {text!r})"
        )
    return text.strip()


def _whole(env, name: str, default: int, low: int, high: int, unit: str) -> int:
    """``env[name]`` as a whole number from ``low`` to ``high`` (default if unset)."""
    text = env.get(name)
    if text is None or not text.strip():
        return default
    try:
        value = int(text.strip())
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise SettingError(
            f"{name} must be a whole number of {unit} from {low:,} to {high:,} "
            f"(got {text!r})"
        )
    return value


@dataclass(frozen=True)
class Config:
    """Settings of one dashboard instance.

    Attributes
    ----------
    bundle_dir : Path
        Bundle folder served (``SHOPPER_BUNDLE``, default ``data/bundle``).
    host, port : str, int
        Where ``python -m dashboard`` listens (``SHOPPER_HOST``, ``SHOPPER_PORT``).
    debug : bool
        Dash debug mode (``SHOPPER_DEBUG=1``); off unless asked for.
    redis_url : str or None
        ``SHOPPER_REDIS_URL``: use Redis for the cache instead of process memory.
    cache_timeout : int
        Seconds a cached answer lives (``SHOPPER_CACHE_TIMEOUT``).
    demo_rows : int
        Synthetic rows for the first-run demo bundle (``SHOPPER_DEMO_ROWS``).
    """

    bundle_dir: Path = field(default_factory=lambda: ROOT / "data" / "bundle")
    host: str = "127.0.0.1"
    port: int = 8050
    debug: bool = False
    redis_url: str | None = None
    cache_timeout: int = 3600
    demo_rows: int = 200_000

    @classmethod
    def from_env(cls, environ=None, *, served_by_wsgi: bool = False) -> Config:
        """Settings from environment variables, defaults for the ones not set.

        ``served_by_wsgi``: for ``wsgi.py``, where gunicorn listens and serves,
        so ``python -m dashboard``'s own settings (host, port, debug, demo rows)
        are not read: a stray ``SHOPPER_PORT=web`` cannot stop the server, and
        debug mode is never on there.
        """
        env = os.environ if environ is None else environ
        default = cls()
        bundle = env.get("SHOPPER_BUNDLE")
        bundle_dir = Path(bundle) if bundle else default.bundle_dir
        if bundle_dir.is_file():
            raise SettingError(
                f"SHOPPER_BUNDLE must name a bundle folder; {bundle_dir} is a file "
                "(build a bundle from it: python -m analytics build --input FILE "
                "--out FOLDER)"
            )
        served = dict(
            bundle_dir=bundle_dir,
            redis_url=_redis_url(env.get("SHOPPER_REDIS_URL")),
            cache_timeout=_whole(
                env,
                "SHOPPER_CACHE_TIMEOUT",
                default.cache_timeout,
                0,
                365 * 86_400,
                "seconds",
            ),
        )
        if served_by_wsgi:
            return cls(**served)
        return cls(
            **served,
            host=env.get("SHOPPER_HOST", default.host),
            port=_whole(env, "SHOPPER_PORT", default.port, 1, 65_535, "port"),
            debug=_flag(env, "SHOPPER_DEBUG"),
            demo_rows=_whole(
                env, "SHOPPER_DEMO_ROWS", default.demo_rows, 1_000, 100_000_000, "rows"
            ),
        )

    def cache_config(self) -> dict:
        """flask-caching settings: Redis when a URL is set, else in-process."""
        if self.redis_url:
            return {
                "CACHE_TYPE": "RedisCache",
                "CACHE_REDIS_URL": self.redis_url,
                "CACHE_DEFAULT_TIMEOUT": self.cache_timeout,
                "CACHE_KEY_PREFIX": "shopper:",
            }
        return {
            "CACHE_TYPE": "SimpleCache",
            "CACHE_DEFAULT_TIMEOUT": self.cache_timeout,
            "CACHE_THRESHOLD": 2000,
        }

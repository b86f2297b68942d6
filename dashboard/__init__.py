"""Shopper Spectrum dashboard: app factory, page layouts and the data-access layer."""

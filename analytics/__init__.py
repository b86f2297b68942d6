"""Shopper Spectrum analytics: raw transactions → a validated artifact bundle.

Uses pandas, NumPy, SciPy and scikit-learn only; never imports dash or plotly.
"""

from analytics.errors import InputError

__all__ = ["InputError"]

"""The partial plotly.js bundle must match the plotly.js of the installed plotly."""

import re
from pathlib import Path

import plotly

ROOT = Path(__file__).resolve().parents[1]


def _version(path: Path) -> str:
    head = path.read_text(encoding="utf-8", errors="replace")[:400]
    return re.search(r"plotly\.js.*? v(\d+\.\d+\.\d+)", head).group(1)


def test_partial_bundle_has_the_installed_plotly_js_version():
    installed = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    bundle = ROOT / "assets" / "00-plotly-custom.min.js"
    assert _version(bundle) == _version(installed), (
        "rebuild assets/00-plotly-custom.min.js (dashboard/plotly_bundle/README.md)"
    )


def test_bundle_registers_every_trace_type_the_figures_use():
    used = set()
    for path in (ROOT / "components").glob("*.py"):
        used |= set(re.findall(r'"type": "(\w+)"', path.read_text()))
    traces = {"scatter", "bar", "box", "choropleth", "scatter3d"}
    entry = (ROOT / "dashboard" / "plotly_bundle" / "index.js").read_text()
    registered = {"scatter"} | set(re.findall(r"plotly\.js/lib/(\w+)", entry)) - {
        "core"
    }
    assert used & traces <= registered
    # Every trace type the figures draw is known to the bundle (axis types such as
    # "date" or "log" are not traces).
    assert not (used - registered - {"date", "log", "linear", "category"}), used

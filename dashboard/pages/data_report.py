"""``/data``: where the numbers come from — cleaning, size, build, evaluation."""

from __future__ import annotations

from pathlib import PureWindowsPath

from dash import html

from components import format as fmt
from components.layout import card, card_row, empty_state, page, table

RULE_NAMES = {
    "overlap_between_files": "Invoice already read from an earlier file",
    # Non-breaking hyphens: a phone wrapped the option as "-- / until".
    "on_or_after_until": "On or after the \u2011\u2011until date",
    "missing_customer_id": "No customer ID",
    "missing_stock_code": "No stock code",
    "cancelled_invoice": "Cancelled invoice (C…)",
    "non_positive_quantity": "Quantity ≤ 0",
    "non_positive_price": "Unit price ≤ 0",
    "duplicate_row": "Exact duplicate row",
    "non_product_code": "Not a product (postage, fees, vouchers…)",
    "invoice_several_customers": "Invoice naming several customers",
    "cancelled_order": "Order line cancelled in full later",
}
# Kept rows with a value filled in or respelled (see ``analytics.cleaning.clean``).
FILL_NAMES = {
    "blank_country": "Blank country, counted as Unspecified",
    "country_spelling": "Country in another case or spacing, read as the known name",
    "partly_cancelled": "Order line partly cancelled later, its quantity reduced",
}
NOTE = "small text-muted mt-2 mb-0"
METRICS = [
    ("precision_at_5", "Precision@5"),
    ("recall_at_5", "Recall@5"),
    ("map_at_5", "MAP@5"),
    ("ndcg_at_5", "NDCG@5"),
    ("hit_rate_at_5", "Hit rate@5"),
]


def cleaning_table(cleaning: dict):
    rows_in = cleaning.get("rows_in") or 0
    rows = [
        {
            "rule": RULE_NAMES.get(rule, rule.replace("_", " ")),
            "removed": removed,
            "share": removed / rows_in if rows_in else None,
        }
        for rule, removed in (cleaning.get("removed") or {}).items()
    ]
    rows.append(
        {
            "rule": "Rows kept",
            "removed": cleaning.get("rows_out"),
            "share": (cleaning.get("rows_out") or 0) / rows_in if rows_in else None,
        }
    )
    removed_table = table(
        rows,
        [
            ("rule", "Rule (in order)", None),
            ("removed", "Rows", fmt.count),
            ("share", "Of rows read", fmt.pct),
        ],
        empty="No cleaning report in this bundle",
    )
    notes = [
        html.P(
            f"{FILL_NAMES.get(what, what)}: {fmt.count(n)} kept rows.",
            className=NOTE,
        )
        for what, n in (cleaning.get("filled") or {}).items()
        if n
    ]
    units = cleaning.get("cancelled_units") or {}
    if units.get("netted") or units.get("unmatched"):
        notes.append(
            html.P(
                f"Cancellations took {fmt.count(units.get('netted', 0))} units back "
                "from the same customer's earlier orders of the product; "
                f"{fmt.count(units.get('unmatched', 0))} cancelled units had no "
                "such order in the data (returns of older purchases).",
                className=NOTE,
            )
        )
    return html.Div([removed_table, *notes]) if notes else removed_table


def evaluation_table(frame):
    if frame is None:
        return empty_state(
            "The recommender evaluation is not in this bundle.",
            "Rebuild the bundle with a version of the analytics that evaluates it.",
        )
    columns = [("task", "Task", None), ("method", "Method", None)]
    if "variant" in frame.columns:
        columns.append(("variant", "Settings", None))
    columns += [
        (key, label, lambda v: fmt.number(v, 3))
        for key, label in METRICS
        if key in frame.columns
    ]
    if "customers" in frame.columns:
        columns.append(("customers", "Customers", fmt.count))
    note = []
    if "cutoff" in frame.columns and len(frame):
        first = frame.iloc[0]
        note = [
            html.P(
                f"Trained on purchases before {fmt.day(first['cutoff'], True)}, "
                + (
                    f"tested on purchases up to {fmt.day(first['test_end'], True)}"
                    if "test_end" in frame.columns
                    else "tested on the purchases after it"
                )
                + ". Higher is better for every metric.",
                className="small text-muted",
            )
        ]
    return html.Div(
        [*note, table(frame.to_dict("records"), columns, empty="No evaluation rows")]
    )


def intervals_table(frame):
    """The project against the best baseline per metric, with the interval that
    says whether the difference is more than noise (None: not in the bundle)."""
    if frame is None or not len(frame):
        return None
    labels = dict(METRICS)
    rows = [
        {
            "task": r["task"],
            "metric": labels.get(r["metric"], r["metric"]),
            "baseline": r["baseline"],
            "difference": r["difference"],
            "interval": f"{fmt.signed_bound(r['low'])} to "
            f"{fmt.signed_bound(r['high'])}",
            "reading": r["reading"],
        }
        for r in frame.to_dict("records")
    ]
    return html.Div(
        [
            html.H6("Is the lead real?", className="mt-3 mb-1"),
            html.P(
                "The project minus the best baseline on each metric, with a 95 % "
                "interval from resampling the test customers: above zero is a "
                "lead, below zero a gap, across zero within noise.",
                className="small text-muted",
            ),
            table(
                rows,
                [
                    ("task", "Task", None),
                    ("metric", "Metric", None),
                    ("baseline", "Best baseline", None),
                    ("difference", "Difference", fmt.signed),
                    ("interval", "95 % interval", None),
                    ("reading", "Reading", None),
                ],
            ),
        ]
    )


def file_name(path) -> str:
    """An input file's name alone ("online_retail.csv.gz"): the manifest keeps
    the path it was read from, and the server's folders are no reader's business.
    A Windows path reads either separator, so a bundle built on Windows shows no
    folders either."""
    return PureWindowsPath(str(path or "")).name or "?"


def facts_list(manifest: dict):
    cleaning = manifest.get("cleaning", {})
    facts = [
        (
            "Dates",
            f"{fmt.day(cleaning.get('date_min'), True)} to "
            f"{fmt.day(cleaning.get('date_max'), True)}",
        ),
        ("Rows read", fmt.count(cleaning.get("rows_in"))),
        ("Rows kept", fmt.count(cleaning.get("rows_out"))),
        ("Customers", fmt.count(cleaning.get("customers"))),
        ("Products", fmt.count(cleaning.get("products"))),
        ("Countries", fmt.count(cleaning.get("countries"))),
        ("Recency measured from", fmt.day(manifest.get("as_of"), True)),
        ("Bundle built", fmt.moment(manifest.get("built_at"))),
        ("Bundle version", manifest.get("bundle_version", "–")),
        ("Build time", f"{fmt.number(manifest.get('seconds_total'), 1)} s"),
    ]
    items = []
    for term, value in facts:
        items += [
            html.Dt(term, className="col-sm-5 text-muted fw-normal"),
            html.Dd(value, className="col-sm-7 mb-1"),
        ]
    inputs = [
        html.Li(f"{file_name(i.get('path'))} ({fmt.count(i.get('rows'))} rows)")
        for i in manifest.get("inputs", [])
    ]
    return html.Div(
        [
            html.Dl(items, className="row mb-2"),
            html.Div("Input files", className="text-muted small"),
            html.Ul(inputs, className="small mb-0"),
        ]
    )


def layout(ctx, params: dict):
    manifest = ctx.data.manifest()
    return page(
        "Data",
        card_row(
            (card("Dataset", facts_list(manifest)), 5),
            (
                card(
                    "Cleaning report",
                    cleaning_table(manifest.get("cleaning", {})),
                    subtitle="Rows removed by each rule, applied in this order.",
                ),
                7,
            ),
        ),
        card(
            "Recommender evaluation",
            [
                part
                for part in (
                    evaluation_table(ctx.data.table("evaluation")),
                    intervals_table(ctx.data.table("evaluation_intervals")),
                )
                if part is not None
            ],
            subtitle="Trained before a cut-off date, scored on what customers "
            "bought after it.",
        ),
        lead="Where the numbers come from.",
    )

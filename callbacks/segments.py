"""Segments callbacks: window RFM → 3D plot, profiles, distributions; predictor;
CSV export."""

from __future__ import annotations

from dash import Input, Output, State, html
from dash.exceptions import PreventUpdate

from analytics.contract import SEGMENTS
from callbacks.filters import FILTER_INPUTS, FILTER_STATES
from components import format as fmt
from components.export import safe_csv
from components.layout import empty_state, segment_label, table
from components.segment_figures import pca_3d_figure, rfm_distribution_figure
from dashboard import ids
from dashboard.queries import segment_profile, window_dates
from dashboard.urlstate import filters_of

EXPORT_COLUMNS = [
    "customer_id",
    "country",
    "region",
    "segment",
    "recency_days",
    "frequency",
    "monetary",
]


def compact_money(value) -> html.Span | str:
    """A mean spend in three figures ("£11.2k", "£1.23M", "£620"), the exact
    amount in its tooltip: "£11,180" made the profile table wider than its
    half-width card."""
    if fmt.finite_or_none(value) is None:
        return "–"
    return html.Span(fmt.short_money(value), title=fmt.money(value))


def profile_table(rfm, highlight: str | None = None):
    profile = segment_profile(rfm, SEGMENTS)
    rows = profile.to_dict("records")
    return table(
        rows,
        [
            ("segment", "Segment", segment_label, False),
            ("customers", "Customers", fmt.count),
            ("customer_share", "Share", lambda v: fmt.pct(v, 0)),
            ("revenue_share", "Revenue", lambda v: fmt.pct(v, 0)),
            # R, F and M: their units are in the card's subtitle.
            ("recency_mean", "R", lambda v: fmt.number(v, 0)),
            ("frequency_mean", "F", lambda v: fmt.number(v, 1)),
            ("monetary_mean", "M", compact_money),
        ],
        empty="No customers under these filters",
        row_key="segment",
        highlight=highlight,
        # Compact cells, so it fits its half-width card on a desktop; on a
        # phone it scrolls with the segment column held (assets/10-theme.css).
        class_name="profile-table",
    )


def window_summary(rfm, f, date_bounds: tuple[str, str]) -> str:
    """One line on the customers in the window, e.g. "4,334 customers with orders
    from 1 Dec 2010 to 9 Dec 2011; £8,737,228 revenue." (dates unbroken)."""
    if rfm.empty:
        return "No customers bought anything under these filters."
    start, end = window_dates(f, date_bounds)
    return (
        f"{fmt.counted(len(rfm), 'customer')} with orders from "
        f"{fmt.day(start, unbroken=True)} "
        f"to {fmt.day(end, unbroken=True)}; "
        f"£{rfm['monetary'].sum():,.0f} revenue."
    )


def segments_outputs(data, f, segment: str | None) -> tuple:
    rfm = data.window_rfm(f)
    explained = data.manifest().get("segmentation", {}).get("pca_explained_variance")
    highlight = segment if segment in SEGMENTS else None
    return (
        pca_3d_figure(rfm, SEGMENTS, explained, highlight),
        profile_table(rfm, highlight),
        rfm_distribution_figure(rfm, SEGMENTS),
        window_summary(rfm, f, data.date_bounds()),
    )


def predict_segment(model, recency, frequency, monetary):
    """The segment of one customer's R, F, M, or a hint while input is missing."""
    values = [fmt.finite_or_none(v) for v in (recency, frequency, monetary)]
    if any(v is None for v in values):
        # The browser passes a value its box rejects (-3, or 2.5 days) as none:
        # the hint says what each box takes.
        return html.Span(
            "Enter recency (whole days, 0 or more), frequency (whole orders, 1 or "
            "more) and monetary (£, 0 or more) to see the segment.",
            className="text-muted small",
        )
    if any(v < 0 for v in values):
        return empty_state("Recency, frequency and monetary cannot be negative.")
    if values[1] < 1:
        return empty_state("A customer has at least one order (frequency ≥ 1).")
    segment = str(model.predict(*values)[0])
    return html.Div(
        [html.Span("Segment: ", className="text-muted"), segment_label(segment)],
        className="predict-result",
    )


def export_csv(data, f, segment: str | None) -> dict:
    """dcc.Download payload: the window's customers (of ``segment`` if given), in
    a file named after the segment and the window's real first and last day."""
    rfm = data.window_rfm(f)
    if segment in SEGMENTS:
        rfm = rfm[rfm["segment"] == segment]
    name = (segment or "all-segments").lower()
    start, end = window_dates(f, data.date_bounds())
    frame = rfm[EXPORT_COLUMNS].sort_values("monetary", ascending=False)
    frame = frame.assign(monetary=frame["monetary"].round(2))
    return {
        "content": safe_csv(frame),
        "filename": f"customers_{name}_{start}_{end}.csv",
        "type": "text/csv",
    }


def register(app, data) -> None:
    @app.callback(
        Output(ids.SEG_3D, "figure"),
        Output(ids.SEG_PROFILE, "children"),
        Output(ids.SEG_RFM_DIST, "figure"),
        Output(ids.SEG_SUMMARY, "children"),
        *FILTER_INPUTS,
        Input(ids.SEG_SEGMENT, "value"),
        prevent_initial_call=True,
    )
    def update_segments(start, end, regions, countries, segment):
        return segments_outputs(
            data, filters_of(start, end, regions, countries), segment
        )

    @app.callback(
        Output(ids.SEG_PRED_RESULT, "children"),
        Input(ids.SEG_PRED_RECENCY, "value"),
        Input(ids.SEG_PRED_FREQUENCY, "value"),
        Input(ids.SEG_PRED_MONETARY, "value"),
    )
    def predict(recency, frequency, monetary):
        return predict_segment(data.segment_model(), recency, frequency, monetary)

    @app.callback(
        Output(ids.SEG_EXPORT_DOWNLOAD, "data"),
        Input(ids.SEG_EXPORT_BUTTON, "n_clicks"),
        *FILTER_STATES,
        State(ids.SEG_SEGMENT, "value"),
        prevent_initial_call=True,
    )
    def export(n_clicks, start, end, regions, countries, segment):
        if not n_clicks:
            raise PreventUpdate
        return export_csv(data, filters_of(start, end, regions, countries), segment)

"""``/segments``: customers in PCA space, segment profiles, model choice, predictor."""

from __future__ import annotations

import re

import dash_bootstrap_components as dbc
from dash import dcc, html

from analytics.contract import SEGMENTS
from components import format as fmt
from components.layout import card, card_row, full_row, graph, labelled, page, table
from components.segment_figures import elbow_figure, silhouette_figure
from dashboard import ids
from dashboard.urlstate import filters_from, first

# "Calinski–Harabasz 3301" in the manifest's reason of bundles built before the
# analytics wrote "3,301" themselves (a "3,301" passes through unchanged).
_CALINSKI = re.compile(r"(Calinski[–-]Harabasz )(\d+(?:\.\d+)?)(?![\d.])")


def model_reason(reason) -> str:
    """The manifest's reason for the chosen model, its Calinski–Harabasz scores
    written as the comparison table writes them ("3,301", not "3301")."""
    return _CALINSKI.sub(lambda m: m[1] + fmt.number(float(m[2]), 0), str(reason or ""))


def comparison_table(frame):
    """KMeans vs DBSCAN vs Agglomerative on the same scaled RFM."""
    if frame is None or frame.empty:
        return table([], [], empty="No model comparison in this bundle")
    rows = frame.assign(
        chosen=frame["chosen"].map({True: "✔ chosen", False: ""})
    ).to_dict("records")
    return table(
        rows,
        [
            ("model", "Model", None),
            ("params", "Parameters", None),
            ("n_clusters", "Clusters", fmt.count),
            ("silhouette", "Silhouette ↑", lambda v: fmt.number(v, 3)),
            ("davies_bouldin", "Davies–Bouldin ↓", lambda v: fmt.number(v, 3)),
            ("calinski_harabasz", "Calinski–Harabasz ↑", lambda v: fmt.number(v, 0)),
            ("noise_share", "Noise", fmt.pct),
            ("chosen", "", None),
        ],
    )


def _number_input(id_, label, placeholder, step, minimum=0):
    return dbc.Col(
        [
            dbc.Label(label, html_for=id_, className="small text-muted mb-1"),
            dbc.Input(
                id=id_,
                type="number",
                min=minimum,
                step=step,
                placeholder=placeholder,
                debounce=False,
            ),
        ],
        xs=12,
        sm=4,
    )


def predictor():
    return [
        dbc.Row(
            [
                _number_input(ids.SEG_PRED_RECENCY, "Recency (days)", "e.g. 30", 1),
                _number_input(
                    ids.SEG_PRED_FREQUENCY, "Frequency (orders)", "e.g. 5", 1, 1
                ),
                _number_input(ids.SEG_PRED_MONETARY, "Monetary (£)", "e.g. 1500", 0.01),
            ],
            className="g-2 mb-2",
        ),
        html.Div(id=ids.SEG_PRED_RESULT, **{"aria-live": "polite"}),
    ]


def _profile_controls(segment: str | None):
    """Segment picker (highlights it, filters the export) and the export button."""
    return dbc.Row(
        [
            dbc.Col(
                labelled(
                    "Segment",
                    ids.SEG_SEGMENT_LABEL,
                    dcc.Dropdown(
                        id=ids.SEG_SEGMENT,
                        options=SEGMENTS,
                        value=segment,
                        placeholder="All segments",
                        clearable=True,
                    ),
                ),
                xs=12,
                sm=7,
            ),
            dbc.Col(
                dbc.Button(
                    "Export CSV",
                    id=ids.SEG_EXPORT_BUTTON,
                    color="primary",
                    outline=True,
                    className="w-100",
                ),
                xs=12,
                sm=5,
            ),
        ],
        className="g-2 mt-2",
        align="end",
    )


def layout(ctx, params: dict):
    from callbacks.segments import segments_outputs
    from dashboard.pages import global_filter_bar

    data = ctx.data
    manifest = data.manifest().get("segmentation", {})
    scan = data.table("kmeans_scan")
    chosen_k = manifest.get("k")
    segment = first(params, "segment")
    if segment not in SEGMENTS:
        segment = None
    cloud, profile, distribution, summary = segments_outputs(
        data, filters_from(params), segment
    )
    return page(
        "Customer segments",
        global_filter_bar(ctx, params),
        html.Div(summary, id=ids.SEG_SUMMARY, className="mb-2 small text-muted"),
        card_row(
            (
                card(
                    "Customers in RFM space",
                    graph(ids.SEG_3D, cloud, height=520),
                    subtitle="First three principal components of scaled "
                    "log-RFM; RFM recomputed for the chosen window.",
                ),
                6,
            ),
            (
                # Two cards stacked in one column: a card with ``fill`` is 100 %
                # of the column high, so a second one would overflow the column
                # and slide under the next row. The column is a flex stack
                # instead, and its last card takes up the slack (CSS).
                html.Div(
                    [
                        card(
                            "Segment profiles",
                            [
                                dcc.Loading(html.Div(profile, id=ids.SEG_PROFILE)),
                                _profile_controls(segment),
                                dcc.Download(id=ids.SEG_EXPORT_DOWNLOAD),
                            ],
                            subtitle="Share of customers and of revenue; R (days "
                            "since the last order), F (orders) and M (spend) are "
                            "means per customer. Choose a segment to highlight "
                            "it and to export its customers in this window.",
                            fill=False,
                        ),
                        card(
                            "Which segment is this customer?",
                            predictor(),
                            subtitle="Type a customer's R, F and M.",
                            fill=False,
                        ),
                    ],
                    className="segments-side-stack d-flex flex-column gap-3 h-100",
                ),
                6,
            ),
            # Side by side from 1200 px: the profile table needs ~500 px, more
            # than half of a narrower page, and would scroll sideways.
            breakpoint="xl",
        ),
        full_row(
            card(
                "RFM distributions by segment",
                graph(ids.SEG_RFM_DIST, distribution, height=340),
            )
        ),
        card_row(
            (
                card(
                    "Elbow",
                    graph(ids.SEG_ELBOW, elbow_figure(scan, chosen_k), height=280),
                ),
                6,
            ),
            (
                card(
                    "Silhouette",
                    graph(
                        ids.SEG_SILHOUETTE,
                        silhouette_figure(scan, chosen_k),
                        height=280,
                    ),
                ),
                6,
            ),
            breakpoint="md",
        ),
        card(
            "Model comparison",
            [
                html.Div(
                    comparison_table(data.table("model_comparison")),
                    id=ids.SEG_COMPARISON,
                ),
                html.P(
                    model_reason(manifest.get("reason")),
                    className="small text-muted mt-2",
                ),
            ],
        ),
        lead="Segments come from the fitted model; the filters change which "
        "transactions count, and RFM is recomputed for that window.",
    )

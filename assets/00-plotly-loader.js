/* Makes dcc.Graph load the partial plotly.js bundle 00-plotly-custom.min.js
 * (built by dashboard/plotly_bundle/: only the trace types the dashboard draws,
 * 2.0 MB instead of 4.8 MB) in place of dash's full one.
 *
 * Why not simply let Dash load the bundle as an asset (dcc.Graph uses a
 * window.Plotly that already exists): a plain asset script blocks the page's
 * first render until 2 MB of JavaScript are parsed. dcc.Graph instead loads
 * plotly.js lazily, from the URL dash-renderer puts in window._dashPlotlyJSURL
 * when it starts, so the page's text shows first. Pin that URL to the partial
 * bundle (app.py keeps it out of the assets loaded up front). If a future Dash
 * stops reading this variable, the full bundle loads: slower, same figures.
 */
(function () {
    'use strict';
    var config = JSON.parse(document.getElementById('_dash-config').textContent);
    var url = config.requests_pathname_prefix + 'assets/00-plotly-custom.min.js';
    Object.defineProperty(window, '_dashPlotlyJSURL', {
        configurable: true,
        get: function () { return url; },
        set: function () { /* dash-renderer's own URL: ignored */ },
    });
})();

// The plotly.js trace types the dashboard draws (components/figures.py and
// components/segment_figures.py); `scatter` comes with the core.
'use strict';

var Plotly = require('plotly.js/lib/core');

Plotly.register([
    require('plotly.js/lib/bar'),
    require('plotly.js/lib/box'),
    require('plotly.js/lib/choropleth'),
    require('plotly.js/lib/scatter3d'),
]);

module.exports = Plotly;

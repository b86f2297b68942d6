// The plotly.js trace types the dashboard draws (components/figures.py and
// components/segment_figures.py); `scatter` comes with the core. Two changes to
// how the bundle starts and draws, both for a sooner first graph (README.md):
// scatter3d is registered when a figure first draws one, and graphs are drawn
// one at a time (and not resized while they wait their turn).
'use strict';

var Plotly = require('plotly.js/lib/core');

Plotly.register([
    require('plotly.js/lib/bar'),
    require('plotly.js/lib/box'),
    require('plotly.js/lib/choropleth'),
]);

// Registered the first time a figure draws one. The bundle wraps each module in
// a function run on its first require, so until then these cost their download
// only: scatter3d (WebGL) is more than half of the bundle's start-up time, and
// only the segments page draws it.
var LAZY = {
    scatter3d: function () { return require('plotly.js/lib/scatter3d'); },
};

function registerTypesOf(traces) {
    if (!traces) return;
    if (!Array.isArray(traces)) traces = [traces];
    for (var i = 0; i < traces.length; i++) {
        var type = traces[i] && traces[i].type;
        if (typeof type === 'string' && Object.prototype.hasOwnProperty.call(LAZY, type)) {
            var load = LAZY[type];
            delete LAZY[type];
            Plotly.register(load());
        }
    }
}

// The entry points that take traces: (gd, data, …) or (gd, {data, …}).
['newPlot', 'react', 'addTraces'].forEach(function (name) {
    var method = Plotly[name];
    Plotly[name] = function (gd, data) {
        registerTypesOf(data && !Array.isArray(data) && data.data ? data.data : data);
        return method.apply(this, arguments);
    };
});

// One graph at a time. Every dcc.Graph of a page waits for plotly.js, then all
// call Plotly.react in the same task, and the browser shows none of them until
// the last is drawn. Here each call waits for the one before it to have drawn
// and for the browser to paint, so the first graph shows as soon as it is
// drawn and the page answers input between graphs; the same when a filter
// redraws them all.

// After the next paint; a hidden page paints nothing, so at most 100 ms on.
function afterPaint() {
    return new Promise(function (resolve) {
        var timer = setTimeout(resolve, 100);
        requestAnimationFrame(function () {
            setTimeout(function () {
                clearTimeout(timer);
                resolve();
            }, 0);
        });
    });
}

var react = Plotly.react;
var last = Promise.resolve();
var queued = 0;
var waiting = new WeakSet(); // graph divs whose react call waits its turn
Plotly.react = function (gd) {
    var self = this;
    var args = arguments;
    var wait = queued++ > 0; // another graph is drawn just before this one
    if (gd instanceof Object) waiting.add(gd);
    // Waits for the call before it to have drawn, not for its promise: a map's
    // waits for its world outline to download.
    var started = last.then(function () {
        return wait ? afterPaint() : undefined;
    }).then(function () {
        waiting.delete(gd);
        // A graph removed while it waited (its page was left) is not drawn.
        // Boxed: a promise returned here would be waited for.
        if (typeof Element !== 'undefined' && gd instanceof Element && !gd.isConnected) {
            return {drawn: Promise.resolve(gd)};
        }
        return {drawn: react.apply(self, args)};
    });
    var done = function () { queued--; };
    last = started.then(done, done);
    return started.then(function (box) { return box.drawn; });
};

// A graph still waiting for its turn is not resized: it is drawn at the size it
// has then, and dcc.Graph resizes each graph once it has drawn. plotly's resize
// looks at the graph 100 ms later; by then the graph had drawn, and it was
// drawn a second time at the same size (2–4 graphs a page).
var resize = Plotly.Plots.resize;
Plotly.Plots.resize = function (gd) {
    if (gd instanceof Object && waiting.has(gd)) return Promise.resolve(gd);
    return resize.apply(this, arguments);
};

module.exports = Plotly;

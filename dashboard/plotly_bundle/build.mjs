// Builds ../../assets/00-plotly-custom.min.js with the same esbuild settings as
// plotly.js's own dist bundles (node_modules/plotly.js/esbuild-config.js), and the
// same UMD wrapper and license header, so dcc.Graph finds `window.Plotly`.
import { build } from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { version } = require('plotly.js/package.json');
const OUT = new URL('../../assets/00-plotly-custom.min.js', import.meta.url);

const result = await build({
    entryPoints: ['index.js'],
    format: 'iife',
    globalName: 'Plotly',
    bundle: true,
    minify: true,
    write: false,
    legalComments: 'eof',
    alias: { regl: '@plotly/regl' },
    define: {
        global: 'window',
        'define.amd': 'false',
        'process.env.NODE_DEBUG': 'false',
    },
    // registry.js requires maplibre's CSS only when a map trace registers; none do.
    loader: { '.css': 'empty' },
    target: 'es2016',
    logLevel: 'info',
});

const header = `/**
* plotly.js (shopper-spectrum: bar, box, choropleth, scatter, scatter3d - minified) v${version}
* Copyright 2012-2026, Plotly, Inc.
* All rights reserved.
* Licensed under the MIT license
*/
(
 function(root, factory) {
  if (typeof module === "object" && module.exports) {
   module.exports = factory();
  } else {
   root.moduleName = factory();
  }
} (typeof self !== "undefined" ? self : this, () => {
`;
const footer = `
window.Plotly = Plotly;
return Plotly;
}));
`;
writeFileSync(OUT, header + result.outputFiles[0].text + footer);
console.log(`wrote ${OUT.pathname} (${readFileSync(OUT).length} bytes)`);

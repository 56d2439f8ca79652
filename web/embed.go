// Package web holds the finder page's static files (HTML, CSS, JavaScript,
// the English and Spanish strings) and embeds them in the binary. Leaflet
// is copied from web/node_modules into static/vendor/leaflet by "make web";
// without it the page still works as a list and hides the map.
package web

import "embed"

// Static is the static/ folder: index.html at its root, assets beside it.
//
//go:embed static
var Static embed.FS

// The finder page's map, loaded only when the map view is first shown (after
// Leaflet). It shows the same meetings as the list and groups markers that
// would overlap into clusters on a screen grid, recomputed at every zoom.
(function () {
  'use strict';

  var CELL = 56; // cluster cell size in screen pixels

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  // create makes a map in container. opts: tileURL, attribution,
  // reduceMotion, t (strings), when (time text of a meeting), open(id).
  function create(container, opts) {
    var anim = !opts.reduceMotion;
    var map = L.map(container, { zoomAnimation: anim, fadeAnimation: anim, markerZoomAnimation: anim, keyboard: true })
      .setView([20, 0], 2);
    L.tileLayer(opts.tileURL, { maxZoom: 19, attribution: opts.attribution || '' }).addTo(map);
    var layer = L.layerGroup().addTo(map);
    var points = [];   // meetings with a position
    var you = null;

    function popup(m) {
      var box = el('div', 'mf-pop');
      box.appendChild(el('p', null)).appendChild(el('strong', null, m.name));
      box.appendChild(el('p', null, opts.when(m).text));
      var loc = [m.location.name, m.location.city].filter(Boolean).join(', ');
      if (loc) box.appendChild(el('p', null, loc));
      var b = el('button', null, opts.t('details'));
      b.type = 'button';
      b.addEventListener('click', function () { opts.open(m.id); });
      box.appendChild(b);
      return box;
    }

    function draw() {
      layer.clearLayers();
      var cells = {};
      points.forEach(function (m) {
        var p = map.latLngToLayerPoint([m.location.lat, m.location.lng]);
        var key = Math.floor(p.x / CELL) + ':' + Math.floor(p.y / CELL);
        (cells[key] = cells[key] || []).push(m);
      });
      Object.keys(cells).forEach(function (key) {
        var group = cells[key];
        var lat = 0, lng = 0;
        group.forEach(function (m) { lat += m.location.lat; lng += m.location.lng; });
        lat /= group.length; lng /= group.length;
        if (group.length === 1) {
          var m = group[0];
          L.marker([m.location.lat, m.location.lng], {
            icon: L.divIcon({ className: 'mf-pin', iconSize: [18, 18] }), title: m.name, alt: m.name, keyboard: true
          }).bindPopup(popup(m)).addTo(layer);
          return;
        }
        var size = group.length < 10 ? 32 : group.length < 100 ? 38 : 46;
        var label = opts.t('map_cluster', { n: group.length });
        var c = L.marker([lat, lng], {
          icon: L.divIcon({ className: 'mf-cluster', iconSize: [size, size], html: String(group.length) }), title: label, alt: label, keyboard: true
        }).addTo(layer);
        c.on('click', function () {
          var b = L.latLngBounds(group.map(function (g) { return [g.location.lat, g.location.lng]; }));
          if (map.getZoom() >= map.getMaxZoom() || b.getNorthEast().equals(b.getSouthWest())) {
            var list = el('div', 'mf-pop');
            group.slice(0, 20).forEach(function (g) { list.appendChild(popup(g)); });
            c.bindPopup(list).openPopup();
          } else {
            map.fitBounds(b.pad(0.2), { animate: anim });
          }
        });
      });
    }

    map.on('zoomend', draw);

    return {
      // update shows meetings (the list's results) around center [lat, lng] or all of them.
      update: function (meetings, center) {
        points = meetings.filter(function (m) { return m.location && m.location.lat != null && m.location.lng != null; });
        if (you) { map.removeLayer(you); you = null; }
        if (center) {
          you = L.marker(center, { icon: L.divIcon({ className: 'mf-you', iconSize: [16, 16] }), keyboard: false, interactive: false }).addTo(map);
        }
        map.invalidateSize();
        var pts = points.map(function (m) { return [m.location.lat, m.location.lng]; });
        if (center) pts.push(center);
        if (pts.length) map.fitBounds(L.latLngBounds(pts).pad(0.1), { animate: false, maxZoom: 15 });
        draw();
      },
      // center returns the map's centre as [lat, lng].
      center: function () { var c = map.getCenter(); return [c.lat, c.lng]; }
    };
  }

  window.MeetingMap = { create: create };
})();

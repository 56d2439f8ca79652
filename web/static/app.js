// The finder page. Plain JavaScript, no framework and no build step: it reads
// /config.json and /static/i18n/<lang>.json, asks /v1/meetings, and keeps the
// whole search in the address bar so a link reproduces it. Every text from the
// server is inserted with textContent, never as HTML.
(function () {
  'use strict';

  var $ = function (id) { return document.getElementById(id); };
  var S = {};              // strings of the current language
  var cfg = null;          // /config.json
  var lang = 'en';
  var viewerTZ = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  var DEFAULTS = { q: '', lat: '', lng: '', place: '', when: 'today', day: '', tod: '', att: '', program: '', dist: '', types: [], sort: 'time', view: 'list', m: '' };
  var state = copyState(DEFAULTS);
  var results = [];
  var cursor = null;
  var seq = 0;             // drops answers to superseded searches
  var inflight = null;     // AbortController of the search under way
  var shownQuery = '';     // the API query (no cursor) whose answer the list shows
  var lastOpener = null;   // id of the list link that opened the meeting view
  var mapReady = null;     // promise of the map module once asked for
  var TOD = { morning: ['04:00', '12:00'], afternoon: ['12:00', '17:00'], evening: ['17:00', '20:00'], night: ['20:00', ''] };
  var reduceMotion = window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches;

  function copyState(s) { var o = {}; for (var k in s) o[k] = Array.isArray(s[k]) ? s[k].slice() : s[k]; return o; }

  // t returns the string key with {name} placeholders filled in.
  function t(key, vars) {
    var s = S[key] != null ? S[key] : key;
    if (vars) s = s.replace(/\{(\w+)\}/g, function (_, k) { return vars[k] != null ? vars[k] : ''; });
    return s;
  }

  // h builds an element: h('a', {href: '…', class: 'x'}, 'text', child…).
  function h(tag, attrs) {
    var el = document.createElement(tag);
    for (var k in attrs || {}) {
      var v = attrs[k];
      if (v == null || v === false) continue;
      if (k === 'text') el.textContent = v;
      else if (k.slice(0, 2) === 'on') el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : v);
    }
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c == null || c === false) continue;
      el.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    }
    return el;
  }

  // getJSON fetches url as JSON. A failed answer rejects with an Error
  // carrying status and body (the API's {error: {code, message, fields}},
  // or null); a failed connection rejects with the browser's TypeError, an
  // aborted one with an AbortError.
  function getJSON(url, signal) {
    return fetch(url, { headers: { Accept: 'application/json' }, signal: signal }).then(function (r) {
      if (r.ok) return r.json();
      return r.json().catch(function () { return null; }).then(function (body) {
        var e = new Error('HTTP ' + r.status); e.status = r.status; e.body = body; throw e;
      });
    });
  }

  // ---- language ----

  function pickLang() {
    var q = new URLSearchParams(location.search).get('lang');
    if (q === 'en' || q === 'es') return q;
    try { var s = localStorage.getItem('mf-lang'); if (s === 'en' || s === 'es') return s; } catch (e) { /* storage blocked */ }
    return /^es\b/i.test(navigator.language || '') ? 'es' : 'en';
  }

  function loadLang(l) {
    return getJSON('/static/i18n/' + l + '.json').then(function (s) { S = s; lang = l; applyStrings(); });
  }

  function applyStrings() {
    document.documentElement.lang = lang;
    document.title = t('page_title');
    $('lang').value = lang;
    document.querySelectorAll('[data-i18n]').forEach(function (el) { el.textContent = t(el.getAttribute('data-i18n')); });
    document.querySelectorAll('[data-i18n-aria]').forEach(function (el) { el.setAttribute('aria-label', t(el.getAttribute('data-i18n-aria'))); });
    buildChoices();
    showHere();
    renderList();
    if (state.m) renderMeetingById(state.m);
  }

  function typeName(code) {
    var ty = cfg && cfg.types.find(function (x) { return x.code === code; });
    return ty ? (lang === 'es' && ty.es ? ty.es : ty.en) : code;
  }

  // ---- units ----

  function useMiles() {
    var region = (navigator.language || '').split('-')[1] || '';
    return ['US', 'GB', 'LR', 'MM'].indexOf(region.toUpperCase()) >= 0;
  }

  function fmtNumber(n, digits) { return new Intl.NumberFormat(lang, { maximumFractionDigits: digits }).format(n); }

  function fmtDistance(meters) {
    if (meters == null) return '';
    if (useMiles()) { var mi = meters / 1609.344; return t('mi', { n: fmtNumber(mi, mi < 10 ? 1 : 0) }); }
    if (meters < 1000) return t('m', { n: fmtNumber(Math.round(meters / 10) * 10, 0) });
    var km = meters / 1000;
    return t('km', { n: fmtNumber(km, km < 10 ? 1 : 0) });
  }

  function distanceOptions() {
    if (useMiles()) return [1, 2, 5, 10, 15, 25, 50, 100].map(function (n) { return { km: String(Math.round(n * 1.609344 * 100) / 100), label: t('mi', { n: n }) }; });
    return [1, 2, 5, 10, 25, 50, 100, 200].map(function (n) { return { km: String(n), label: t('km', { n: n }) }; });
  }

  // ---- times, each in the meeting's own zone ----

  function zoneOf(m) {
    var z = m.timezone || viewerTZ;
    try { new Intl.DateTimeFormat('en', { timeZone: z }); return z; } catch (e) { return viewerTZ; }
  }

  function fmt(date, tz, opts) {
    var o = { timeZone: tz };
    for (var k in opts) o[k] = opts[k];
    return new Intl.DateTimeFormat(lang, o).format(date);
  }

  function dateKey(date, tz) { return new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(date); }

  // sameClock reports whether tz shows the same wall time as the viewer's zone at date.
  function sameClock(date, tz) {
    var o = { hour: '2-digit', minute: '2-digit', day: '2-digit', hourCycle: 'h23' };
    return fmt(date, tz, o) === fmt(date, viewerTZ, o);
  }

  // when describes a meeting's next start: {text, badge, badgeClass}.
  function when(m) {
    if (m.by_appointment) return { text: t('by_appointment') };
    if (!m.next_start && m.start_time && m.day != null && !m.timezone) {
      // The listing's clock is not known: show its own words, never a guess.
      var dayName = new Intl.DateTimeFormat(lang, { weekday: 'long', timeZone: 'UTC' }).format(new Date(Date.UTC(2000, 0, 2 + m.day)));
      return { text: t('zone_unknown', { day: dayName, time: fmtHHMM(m.start_time) }) };
    }
    if (!m.next_start) return { text: t('no_time') };
    var d = new Date(m.next_start), now = new Date(), tz = zoneOf(m);
    var differs = !sameClock(d, tz);
    var clock = fmt(d, tz, { hour: 'numeric', minute: '2-digit', timeZoneName: differs ? 'short' : undefined });
    var day;
    if (dateKey(d, tz) === dateKey(now, tz)) day = t('today');
    else if (dateKey(d, tz) === dateKey(new Date(now.getTime() + 864e5), tz)) day = t('tomorrow');
    else day = fmt(d, tz, { weekday: 'long' });
    var text = day + ' ' + clock;
    if (differs && (m.attendance === 'online' || m.attendance === 'hybrid')) {
      text += ' (' + t('your_time', { t: fmt(d, viewerTZ, { weekday: 'short', hour: 'numeric', minute: '2-digit' }) }) + ')';
    }
    var r = { text: text };
    var mins = (d.getTime() - now.getTime()) / 60000;
    if (m.in_progress) { r.badge = t('in_progress'); r.badgeClass = 'now'; r.text = day + ' ' + t('started_at', { t: clock }); }
    else if (mins >= 0 && mins <= 60) { r.badge = t('starting_soon', { m: Math.max(1, Math.round(mins)) }); r.badgeClass = 'soon'; }
    return r;
  }

  function fmtHHMM(s) {
    if (!s) return '';
    var p = s.split(':');
    return new Intl.DateTimeFormat(lang, { hour: 'numeric', minute: '2-digit', timeZone: 'UTC' }).format(new Date(Date.UTC(2000, 0, 2, +p[0], +p[1])));
  }

  function attendanceLabel(a) { return t((a || 'in_person') + '_label'); }

  // PROVIDERS names the video services of join links, by host.
  var PROVIDERS = [[/(^|\.)zoom\.(us|com)$/, 'Zoom'], [/^meet\.google\.com$/, 'Google Meet'], [/(^|\.)teams\.(microsoft|live)\.com$/, 'Teams'],
    [/(^|\.)webex\.com$/, 'Webex'], [/^meet\.jit\.si$/, 'Jitsi'], [/(^|\.)discord\.(gg|com)$/, 'Discord'], [/^signal\.group$/, 'Signal'],
    [/(^|\.)freeconferencecall\.com$/, 'FreeConferenceCall'], [/(^|\.)(gotomeeting\.com|gotomeet\.me|goto\.com)$/, 'GoTo'],
    [/(^|\.)skype\.com$/, 'Skype'], [/(^|\.)whatsapp\.com$/, 'WhatsApp']];

  // provider names how to join m from afar: "Zoom", a link's host, or "phone".
  function provider(m) {
    var on = m.online || {};
    if (on.url) {
      var host = '';
      try { host = new URL(on.url).hostname.toLowerCase().replace(/^www\./, ''); } catch (e) { host = ''; }
      for (var i = 0; i < PROVIDERS.length; i++) if (PROVIDERS[i][0].test(host)) return PROVIDERS[i][1];
      if (host) return host;
    }
    return on.phone ? t('by_phone') : '';
  }

  // farText is what a result shows in place of a distance: how far away
  // it is when it has a door, else how to join it ("Online · Zoom"), else
  // that its place is only approximate. The API gives online and
  // approximate meetings no distance_m: their point is not a door.
  function farText(m) {
    if (m.distance_m != null) return t('away', { d: fmtDistance(m.distance_m) });
    if (m.attendance === 'online' || m.attendance === 'hybrid') { var p = provider(m); return p ? t('online_via', { p: p }) : t('online_label'); }
    if (m.location && m.location.approximate && state.lat) return t('approx');
    return '';
  }

  // distKey orders by distance, meetings without a walking distance last.
  function distKey(m) { return m.distance_m != null ? m.distance_m : Infinity; }

  // ---- state in the URL ----

  function readURL() {
    var q = new URLSearchParams(location.search);
    state = copyState(DEFAULTS);
    ['q', 'lat', 'lng', 'place', 'when', 'day', 'tod', 'att', 'program', 'dist', 'sort', 'view', 'm'].forEach(function (k) { if (q.get(k) != null) state[k] = q.get(k); });
    state.q = state.q.trim();
    state.types = (q.get('types') || '').split(',').filter(Boolean);
    if (!/^-?\d+(\.\d+)?$/.test(state.lat) || !/^-?\d+(\.\d+)?$/.test(state.lng)) { state.lat = state.lng = ''; }
    if (['now', 'today', 'any', 'day'].indexOf(state.when) < 0) state.when = 'today';
    if (!/^[0-6]$/.test(state.day)) state.day = '';
    if (!TOD[state.tod]) state.tod = '';
    if (['', 'in_person', 'online', 'hybrid'].indexOf(state.att) < 0) state.att = '';
    if (['time', 'distance'].indexOf(state.sort) < 0) state.sort = 'time';
    if (['list', 'map'].indexOf(state.view) < 0) state.view = 'list';
    if (!/^\d+$/.test(state.m)) state.m = '';
    if (state.dist && !(+state.dist > 0 && +state.dist <= 500)) state.dist = '';
  }

  function queryString(s, extra) {
    var q = new URLSearchParams();
    var o = copyState(s);
    for (var k in extra || {}) o[k] = extra[k];
    ['q', 'lat', 'lng', 'place', 'when', 'day', 'tod', 'att', 'program', 'dist'].forEach(function (k) { if (o[k] !== DEFAULTS[k] && o[k] !== '') q.set(k, o[k]); });
    if (o.when !== 'day') q.delete('day');
    if (o.types.length) q.set('types', o.types.join(','));
    if (o.sort !== DEFAULTS.sort) q.set('sort', o.sort);
    if (o.view !== DEFAULTS.view) q.set('view', o.view);
    if (o.m) q.set('m', o.m);
    if (lang !== 'en') q.set('lang', lang);
    var qs = q.toString();
    return qs ? '?' + qs : location.pathname;
  }

  function shareURL(extra) { return location.origin + location.pathname + queryString(state, extra).replace(/^\/$/, ''); }

  function writeURL(push, data) {
    var url = queryString(state);
    if (push) history.pushState(data || {}, '', url); else history.replaceState(history.state, '', url);
  }

  // ---- the form ----

  function buildChoices() {
    var day = $('day');
    day.textContent = '';
    for (var i = 0; i < 7; i++) day.appendChild(h('option', { value: String(i), text: t('day_' + i) }));
    day.value = state.day || String(new Date().getDay());

    var prog = $('program');
    prog.textContent = '';
    prog.appendChild(h('option', { value: '', text: t('program_any') }));
    (cfg ? cfg.programs : []).forEach(function (p) { prog.appendChild(h('option', { value: p, text: t('program_' + p) })); });
    prog.value = state.program;

    var dist = $('dist');
    dist.textContent = '';
    var opts = distanceOptions(), found = false;
    opts.forEach(function (o) { if (o.km === state.dist) found = true; dist.appendChild(h('option', { value: o.km, text: t('dist_option', { d: o.label }) })); });
    if (!found) dist.value = useMiles() ? opts[5].km : opts[4].km; else dist.value = state.dist;

    var box = $('types');
    box.textContent = '';
    var types = (cfg ? cfg.types.slice() : []).sort(function (a, b) { return typeName(a.code).localeCompare(typeName(b.code), lang); });
    types.forEach(function (ty) {
      // A type only some programs have is a filter only for them.
      if (ty.programs && (!state.program || ty.programs.indexOf(state.program) < 0) && state.types.indexOf(ty.code) < 0) return;
      var id = 'type-' + ty.code;
      box.appendChild(h('label', { for: id }, h('input', { type: 'checkbox', id: id, value: ty.code, checked: state.types.indexOf(ty.code) >= 0 }), typeName(ty.code)));
    });
    syncForm();
  }

  function syncForm() {
    var r = document.querySelector('input[name=when][value="' + state.when + '"]'); if (r) r.checked = true;
    $('day-pick').hidden = state.when !== 'day';
    if (state.day) $('day').value = state.day;
    $('tod').value = state.tod;
    r = document.querySelector('input[name=att][value="' + state.att + '"]'); if (r) r.checked = true;
    $('program').value = state.program;
    if (state.dist) $('dist').value = state.dist;
    r = document.querySelector('input[name=sort][value="' + state.sort + '"]'); if (r) r.checked = true;
    document.querySelectorAll('#types input').forEach(function (c) { c.checked = state.types.indexOf(c.value) >= 0; });
    var n = (state.tod ? 1 : 0) + (state.att ? 1 : 0) + (state.program ? 1 : 0) + (state.dist ? 1 : 0) + state.types.length;
    $('filter-count').textContent = n ? t('filters_on', { n: n }) : '';
    $('sort-dist').disabled = !state.lat;
    $('sort').disabled = !!state.q; // text results come best match first
  }

  function readForm() {
    state.when = document.querySelector('input[name=when]:checked').value;
    state.day = state.when === 'day' ? $('day').value : '';
    state.tod = $('tod').value;
    state.att = document.querySelector('input[name=att]:checked').value;
    state.program = $('program').value;
    var dist = $('dist').value;
    state.dist = dist === distanceOptions()[useMiles() ? 5 : 4].km ? '' : dist;
    state.sort = document.querySelector('input[name=sort]:checked').value;
    state.types = Array.prototype.map.call(document.querySelectorAll('#types input:checked'), function (c) { return c.value; });
  }

  var changeTimer = 0;
  function onFilterChange(e) {
    if (e.target.id === 'place' || e.target.id === 'city' || e.target.id === 'lang' || e.target.id === 'q') return;
    clearTimeout(changeTimer);
    changeTimer = setTimeout(function () {
      readForm();
      if (e.target.id === 'program') buildChoices(); // the program's own types become filters
      syncForm(); writeURL(false); search();
    }, e.target.type === 'checkbox' ? 400 : 0);
  }

  function showHere() {
    var txt;
    if (state.lat) txt = state.place ? t('near', { place: state.place }) : t('near_you');
    else txt = t('anywhere');
    $('here').textContent = txt;
    // Once there is a place, fold the ways of choosing one away so the
    // results come into view on a phone.
    $('where-pick').hidden = !!state.lat;
    $('change-place').hidden = !state.lat;
  }

  function setPoint(lat, lng, place) {
    state.lat = String(Math.round(lat * 1e4) / 1e4);
    state.lng = String(Math.round(lng * 1e4) / 1e4);
    state.place = place || '';
    var inPick = $('where-pick').contains(document.activeElement);
    hidePlaces();
    showHere();
    // The ways of choosing a place fold away: keep focus on something visible.
    if (inPick) $('change-place').focus();
    syncForm();
    writeURL(false);
    search();
  }

  // ---- where: geolocation and places ----

  function locate() {
    if (!navigator.geolocation) { say(t('locate_unsupported'), true); return; }
    say(t('locating'));
    navigator.geolocation.getCurrentPosition(function (p) {
      setPoint(p.coords.latitude, p.coords.longitude, '');
      if (state.sort !== 'distance' && state.when === 'any') state.sort = 'distance';
    }, function (err) {
      say(err.code === 1 ? t('locate_denied') : t('locate_failed'), true);
      $('place').focus();
    }, { enableHighAccuracy: false, timeout: 15000, maximumAge: 600000 });
  }

  // Place search: GET /v1/places answers {places: [{name, kind, lat, lng,
  // meetings}]}, best first (openapi.yaml, PlaceList). Suggestions appear as
  // the person types; Enter or Search takes the only match or offers the list.
  var placeSeq = 0, placeTimer = 0;

  function fetchPlaces(q) {
    return getJSON('/v1/places?q=' + encodeURIComponent(q) + '&limit=5').then(function (d) { return d.places; });
  }

  function latLngOf(q) {
    var ll = q.match(/^\s*(-?\d+(?:\.\d+)?)\s*[,; ]\s*(-?\d+(?:\.\d+)?)\s*$/);
    return ll && Math.abs(+ll[1]) <= 90 && Math.abs(+ll[2]) <= 180 ? [+ll[1], +ll[2]] : null;
  }

  function hidePlaces() {
    $('place-results').hidden = true;
    $('place-results').textContent = '';
  }

  // showPlaces lists places as buttons under the box; focusFirst moves
  // focus to the first (after Enter), otherwise focus stays in the box.
  function showPlaces(places, focusFirst) {
    var ul = $('place-results');
    ul.textContent = '';
    ul.setAttribute('aria-label', t('place_pick'));
    places.forEach(function (p) {
      var label = p.meetings > 0 ? t('place_option', { place: p.name, n: p.meetings }) : p.name;
      ul.appendChild(h('li', null, h('button', { type: 'button', class: 'place-option', onclick: function () { choosePlace(p); } }, label)));
    });
    ul.hidden = false;
    $('place-status').textContent = places.length === 1 ? t('place_found_one') : t('place_found', { n: places.length });
    if (focusFirst) ul.querySelector('button').focus();
  }

  function choosePlace(p) {
    $('place-status').textContent = '';
    setPoint(p.lat, p.lng, p.name);
  }

  function suggestPlaces() {
    clearTimeout(placeTimer);
    var q = $('place').value.trim();
    var my = ++placeSeq;
    if (!cfg || !cfg.features.places || q.length < 2 || latLngOf(q)) { hidePlaces(); return; }
    placeTimer = setTimeout(function () {
      fetchPlaces(q).then(function (places) {
        if (my !== placeSeq) return;
        if (places.length) showPlaces(places, false); else hidePlaces();
      }).catch(function () { /* suggestions are optional; Enter reports errors */ });
    }, 250);
  }

  function placeKeys(e) {
    var opts = Array.prototype.slice.call(document.querySelectorAll('#place-results button'));
    var i = opts.indexOf(document.activeElement);
    if (e.key === 'ArrowDown' && opts.length) { e.preventDefault(); opts[Math.min(i + 1, opts.length - 1)].focus(); }
    else if (e.key === 'ArrowUp' && i >= 0) { e.preventDefault(); if (i === 0) $('place').focus(); else opts[i - 1].focus(); }
    else if (e.key === 'Escape' && opts.length) { e.preventDefault(); hidePlaces(); $('place').focus(); }
  }

  function findPlace() {
    var q = $('place').value.trim();
    if (!q) return;
    clearTimeout(placeTimer);
    var my = ++placeSeq;
    var ll = latLngOf(q);
    if (ll) { setPoint(ll[0], ll[1], q); return; }
    var city = cfg.cities.find(function (c) { return c.name.toLowerCase().indexOf(q.toLowerCase()) === 0; });
    if (!cfg.features.places) {
      if (city) setPoint(city.lat, city.lng, city.name); else say(t('place_bad'), true);
      return;
    }
    fetchPlaces(q).then(function (places) {
      if (my !== placeSeq) return;
      if (!places.length && city) places = [city];
      if (!places.length) { hidePlaces(); say(t('place_none', { q: q }), true); return; }
      if (places.length === 1) { choosePlace(places[0]); return; }
      showPlaces(places, true);
    }).catch(function () { say(t('error'), true); });
  }

  // ---- searching ----

  // say shows msg in the status line; retry offers the Try again button
  // under it (after a failed connection or a server error).
  function say(msg, isError, retry) {
    var st = $('status');
    st.textContent = msg;
    st.classList.toggle('error', !!isError);
    $('retry').hidden = !retry;
  }

  function apiQuery() {
    var q = new URLSearchParams();
    if (state.q) q.set('q', state.q);
    if (state.lat) { q.set('lat', state.lat); q.set('lng', state.lng); q.set('radius_km', state.dist || (useMiles() ? distanceOptions()[5].km : '25')); }
    if (state.when === 'now') q.set('upcoming_hours', '2');
    else if (state.when === 'today') q.set('day', 'today');
    else if (state.when === 'day') q.set('day', state.day || String(new Date().getDay()));
    if (state.tod) { q.set('start_after', TOD[state.tod][0]); if (TOD[state.tod][1]) q.set('start_before', TOD[state.tod][1]); }
    if (state.types.length) q.set('types', state.types.join(','));
    q.set('attendance', { '': 'in_person,hybrid,online', in_person: 'in_person,hybrid', online: 'online,hybrid', hybrid: 'hybrid' }[state.att]);
    if (state.program) q.set('program', state.program);
    q.set('limit', '100');
    return q;
  }

  // search asks /v1/meetings for the current state; with more, for the
  // next page of the list shown, when that list answers the current state
  // (else it starts again). The list keeps its meetings until the answer
  // comes; a newer search aborts the one under way, and an answer to a
  // superseded search is dropped even if it arrives.
  function search(more) {
    var my = ++seq;
    if (inflight) inflight.abort();
    var ctl = window.AbortController ? new AbortController() : null;
    inflight = ctl;
    var q = apiQuery();
    var next = !!(more && cursor) && q.toString() === shownQuery;
    if (next) q.set('cursor', cursor);
    var text = q.get('q') || '';
    say(text ? t('searching') : t('loading'));
    $('q').removeAttribute('aria-invalid');
    $('list').setAttribute('aria-busy', 'true');
    return getJSON('/v1/meetings?' + q.toString(), ctl ? ctl.signal : undefined).then(function (d) {
      if (my !== seq) return;
      results = next ? results.concat(d.meetings) : d.meetings;
      cursor = d.next_cursor;
      q.delete('cursor');
      shownQuery = q.toString();
      sortResults(text);
      renderList();
      $('list').setAttribute('data-query', shownQuery); // the answered query, for tests and debugging
      say(foundText(results.length, text));
      if (mapReady) mapReady.then(function (mp) { if (mp) mp.update(results, state.lat ? [+state.lat, +state.lng] : null); });
    }).catch(function (e) {
      if (my !== seq || (e && e.name === 'AbortError')) return;
      var bad = !!e && e.status === 400;
      if (bad) {
        // The query itself is wrong: no meeting can match what the box says.
        results = []; cursor = null; shownQuery = '';
        renderList();
        $('list').removeAttribute('data-query');
        if (mapReady) mapReady.then(function (mp) { if (mp) mp.update(results, state.lat ? [+state.lat, +state.lng] : null); });
      }
      say(failText(e), true, !bad);
      if (bad && e.body && e.body.error && e.body.error.fields && e.body.error.fields.q) $('q').setAttribute('aria-invalid', 'true');
    }).then(function () {
      if (my !== seq) return;
      inflight = null;
      $('list').removeAttribute('aria-busy');
    });
  }

  // foundText says how many meetings the list shows, for the text q or none.
  function foundText(n, q) {
    if (q) return cursor ? t('q_found_more', { n: n, q: q }) : n === 0 ? t('q_none', { q: q }) : n === 1 ? t('q_found_one', { q: q }) : t('q_found', { n: n, q: q });
    return cursor ? t('found_more', { n: n }) : n === 0 ? t('none') : n === 1 ? t('found_one') : t('found', { n: n });
  }

  // failText says in words why a search failed: the API's reason for a bad
  // q (a 400 names it in error.fields), a failed connection, or a server
  // that cannot answer now. It never shows the raw answer.
  function failText(e) {
    var fields = e && e.status === 400 && e.body && e.body.error && e.body.error.fields;
    if (fields && typeof fields.q === 'string') return t('q_bad', { reason: fields.q });
    if (fields) return t('search_bad', { reason: Object.keys(fields).sort().map(function (k) { return k + ' ' + fields[k]; }).join('; ') });
    if (e && (e.status >= 500 || e.status === 429)) return t('error_server');
    return t('error');
  }

  // Text search as the person types: a search starts qDelay ms after the
  // last change to the box, and at once on Enter or when the box is
  // cleared (back to the list without text).
  var qTimer = 0, qDelay = 150;

  function qValue() { return $('q').value.trim(); }

  function onQInput() {
    clearTimeout(qTimer);
    var v = qValue();
    if (v === state.q) return; // only spaces changed, or back to what is asked
    if (!v) { runQ(v); return; }
    qTimer = setTimeout(function () { runQ(qValue()); }, qDelay);
  }

  function onQKey(e) {
    if (e.key !== 'Enter' || e.isComposing) return;
    e.preventDefault(); // not the form's submit, which finds a place
    runQ(qValue());
  }

  function runQ(v) {
    clearTimeout(qTimer);
    state.q = v;
    $('sort').disabled = !!v;
    writeURL(false);
    search();
  }

  // sortResults puts the list in the chosen order; text results keep the
  // API's order (best match first, then nearest).
  function sortResults(text) {
    if (text) return;
    var byDist = function (a, b) { var x = distKey(a), y = distKey(b); return x === y ? 0 : x < y ? -1 : 1; };
    if (state.sort === 'distance' && state.lat) {
      results.sort(byDist);
      return;
    }
    var key = function (m) { return m.next_start ? Date.parse(m.next_start) : Infinity; };
    results.sort(function (a, b) { var x = key(a), y = key(b); return (x === y ? 0 : x < y ? -1 : 1) || byDist(a, b); });
  }

  function renderList() {
    var ol = $('list');
    if (!ol) return;
    ol.textContent = '';
    results.forEach(function (m) {
      var w = when(m);
      var place = [m.location.name, m.location.city].filter(Boolean).join(', ');
      if (m.attendance === 'online' && m.location.approximate) place = m.location.city || '';
      var types = m.types.slice(0, 4).map(typeName).join(' · ');
      ol.appendChild(h('li', null, h('article', null,
        h('h3', null, h('a', { href: shareURL({ m: String(m.id) }), id: 'mlink-' + m.id, 'data-id': m.id, onclick: openFromLink }, m.name || '—')),
        h('p', { class: 'when-line' }, w.badge ? h('span', { class: 'badge ' + w.badgeClass }, w.badge) : null, w.text),
        h('p', { class: 'meta' }, h('span', { class: 'badge kind' }, attendanceLabel(m.attendance)),
          [place, farText(m)].filter(Boolean).join(' · ')),
        h('p', { class: 'meta' }, [t('program_' + m.program), types].filter(Boolean).join(' · '))
      )));
    });
    $('more').hidden = !cursor;
  }

  // ---- views ----

  function setView(v, focus) {
    state.view = v;
    $('show-list').setAttribute('aria-pressed', String(v === 'list'));
    $('show-map').setAttribute('aria-pressed', String(v === 'map'));
    if (!state.m) { $('results').hidden = v !== 'list'; $('map-view').hidden = v !== 'map'; }
    if (v === 'map') loadMap();
    if (focus) writeURL(false);
  }

  function loadScript(src) {
    return new Promise(function (ok, fail) {
      var s = h('script', { src: src });
      s.onload = ok; s.onerror = fail;
      document.head.appendChild(s);
    });
  }

  function loadMap() {
    if (mapReady) return mapReady;
    document.head.appendChild(h('link', { rel: 'stylesheet', href: '/static/vendor/leaflet/leaflet.css' }));
    mapReady = loadScript('/static/vendor/leaflet/leaflet.js').then(function () { return loadScript('/static/map.js'); }).then(function () {
      var mp = window.MeetingMap.create($('map'), {
        tileURL: cfg.tile_url, attribution: cfg.tile_attribution, reduceMotion: reduceMotion,
        t: t, when: when, open: function (id) { openMeeting(id, true); }
      });
      mp.update(results, state.lat ? [+state.lat, +state.lng] : null);
      return mp;
    }).catch(function () { say(t('map_unavailable'), true); return null; });
    return mapReady;
  }

  function searchArea() {
    mapReady.then(function (mp) {
      if (!mp) return;
      var c = mp.center();
      setPoint(c[0], c[1], '');
    });
  }

  function openFromLink(e) {
    if (e.ctrlKey || e.metaKey || e.shiftKey || e.button) return;
    e.preventDefault();
    openMeeting(e.currentTarget.getAttribute('data-id'), true);
  }

  function openMeeting(id, push) {
    lastOpener = 'mlink-' + id;
    state.m = String(id);
    if (push) writeURL(true, { fromList: true }); else writeURL(false);
    showMeetingPane(true);
    renderMeetingById(state.m, true);
  }

  function showMeetingPane(on) {
    ['search', 'results', 'map-view'].forEach(function (id) { $(id).hidden = on; });
    document.querySelector('.bar').hidden = on;
    $('status').hidden = on;
    if (on) $('retry').hidden = true;
    $('meeting').hidden = !on;
    if (!on) setView(state.view);
  }

  function closeMeeting() {
    if (history.state && history.state.fromList) { history.back(); return; }
    state.m = '';
    writeURL(false);
    afterClose();
  }

  function afterClose() {
    showMeetingPane(false);
    if (!results.length) search();
    var link = lastOpener && $(lastOpener);
    if (link && state.view === 'list') link.focus(); else $('results-h').parentNode.focus();
  }

  window.addEventListener('popstate', function () {
    var wasMeeting = !!state.m;
    readURL();
    clearTimeout(qTimer);
    $('q').value = state.q;
    syncForm();
    showHere();
    if (state.m) { showMeetingPane(true); renderMeetingById(state.m, true); }
    else if (wasMeeting) afterClose();
    else { setView(state.view); search(); }
  });

  function renderMeetingById(id, focus) {
    var cached = results.find(function (m) { return String(m.id) === String(id); });
    var sec = $('meeting');
    if (cached) { renderMeeting(cached, focus); return; }
    sec.textContent = '';
    sec.appendChild(h('p', { role: 'status' }, t('loading')));
    getJSON('/v1/meetings/' + encodeURIComponent(id)).then(function (m) {
      if (state.m === String(id)) renderMeeting(m, focus);
    }).catch(function () {
      sec.textContent = '';
      sec.appendChild(backButton());
      sec.appendChild(h('h2', { id: 'm-name', tabindex: '-1' }, t('not_found')));
      if (focus) $('m-name').focus();
    });
  }

  function backButton() { return h('button', { type: 'button', class: 'link back', onclick: closeMeeting }, '← ' + t('back')); }

  function phoneHref(p) { return 'tel:' + p.replace(/[^0-9+,*#]/g, ''); }

  function renderMeeting(m, focus) {
    var sec = $('meeting');
    var loc = m.location || {};
    var w = when(m);
    var tz = zoneOf(m);
    sec.textContent = '';
    sec.appendChild(backButton());
    sec.appendChild(h('h2', { id: 'm-name', tabindex: '-1' }, m.name || '—'));
    sec.appendChild(h('p', null, h('span', { class: 'badge kind' }, attendanceLabel(m.attendance)), t('program_' + m.program)));

    sec.appendChild(h('h3', null, t('next')));
    sec.appendChild(h('p', { class: 'when-line' }, w.badge ? h('span', { class: 'badge ' + w.badgeClass }, w.badge) : null, w.text));
    if (m.day != null && m.start_time) {
      var zoneName = m.next_start ? fmt(new Date(m.next_start), tz, { timeZoneName: 'long' }).replace(/^[^A-Za-zÀ-ÿ]*[\d/.,\s-]+/, '') : tz;
      var span = fmtHHMM(m.start_time) + (m.end_time ? ' – ' + fmtHHMM(m.end_time) : '');
      sec.appendChild(h('p', { class: 'meta' }, t('weekly', { day: t('day_' + m.day), time: span }) + ' (' + zoneName + ')'));
    }

    var inPerson = m.attendance === 'in_person' || m.attendance === 'hybrid' || m.attendance === 'inactive';
    if (inPerson || loc.formatted_address) {
      sec.appendChild(h('h3', null, t('where_h')));
      if (loc.name) sec.appendChild(h('p', null, loc.name));
      var addr = loc.formatted_address || [loc.address, loc.city, loc.region, loc.postal_code].filter(Boolean).join(', ');
      if (addr) sec.appendChild(h('p', null, addr, loc.approximate ? ' (' + t('approx') + ')' : ''));
      if (loc.notes) sec.appendChild(h('p', { class: 'notes' }, loc.notes));
      if (inPerson && !loc.approximate && (addr || loc.lat != null)) {
        var dest = loc.lat != null ? loc.lat + ',' + loc.lng : addr;
        sec.appendChild(h('p', null, h('a', { href: 'https://www.google.com/maps/dir/?api=1&destination=' + encodeURIComponent(dest), target: '_blank', rel: 'noopener noreferrer' }, t('directions'))));
      }
    }

    var on = m.online;
    if (on && (on.url || on.phone)) {
      sec.appendChild(h('h3', null, t('join_h')));
      if (on.url && /^https?:\/\//i.test(on.url)) sec.appendChild(h('p', null, h('a', { class: 'join', href: on.url, target: '_blank', rel: 'noopener noreferrer' }, t('join'))));
      if (on.url_notes) sec.appendChild(h('p', { class: 'notes' }, on.url_notes));
      if (on.phone) sec.appendChild(h('p', null, h('a', { href: phoneHref(on.phone) }, t('dial', { phone: on.phone }))));
      if (on.phone_notes) sec.appendChild(h('p', { class: 'notes' }, on.phone_notes));
    }

    if (m.notes) { sec.appendChild(h('h3', null, t('notes_h'))); sec.appendChild(h('p', { class: 'notes' }, m.notes)); }
    if (m.types && m.types.length) {
      sec.appendChild(h('h3', null, t('types_h')));
      var ul = h('ul', { class: 'types' });
      m.types.forEach(function (c) { ul.appendChild(h('li', null, typeName(c))); });
      sec.appendChild(ul);
    }
    if (m.group) sec.appendChild(h('p', null, t('group', { g: m.group })));
    if (m.url && /^https?:\/\//i.test(m.url)) sec.appendChild(h('p', null, h('a', { href: m.url, target: '_blank', rel: 'noopener noreferrer' }, t('website'))));

    var actions = h('div', { class: 'actions' },
      h('a', { id: 'ics', href: '/v1/meetings/' + m.id + '.ics', download: 'meeting-' + m.id + '.ics' }, t('calendar')),
      h('button', { type: 'button', id: 'share-meeting', onclick: function () { share(shareURL({ m: String(m.id) }), m.name, sec); } }, t('share_meeting')),
      cfg.features.corrections ? h('button', { type: 'button', id: 'correct', onclick: function () { correction(m, sec); } }, t('correct')) : null
    );
    sec.appendChild(actions);
    if (focus) $('m-name').focus();
  }

  // share offers the system share sheet where there is one, and always shows
  // the link in a box with a Copy button.
  function share(url, title, where) {
    var old = where.querySelector('.copy');
    if (old) old.remove();
    var input = h('input', { type: 'text', id: 'share-url', readonly: true, value: url, 'aria-label': t('copy_label') });
    var note = h('span', { role: 'status', class: 'hint' });
    var box = h('div', null, h('div', { class: 'copy' }, input, h('button', { type: 'button', onclick: function () {
      input.select();
      var done = function () { note.textContent = t('copied'); };
      if (navigator.clipboard) navigator.clipboard.writeText(url).then(done, function () { document.execCommand('copy'); done(); });
      else { document.execCommand('copy'); done(); }
    } }, t('copy'))), note);
    box.className = 'copy-wrap copy';
    where.appendChild(box);
    input.focus();
    input.select();
    if (navigator.share && /Mobi|Android/i.test(navigator.userAgent)) navigator.share({ title: title || t('title'), url: url }).catch(function () { /* dismissed */ });
  }

  // correction shows a form prefilled with the listing's details and sends
  // the fields the person changed as a change request (POST
  // /v1/meetings/{id}/change-requests with {proposed, contact}: proposed is a
  // JSON merge patch over the listing's MeetingInput). A 400 names each bad
  // field ("proposed.start_time", "contact"); its reason is shown under the
  // field it belongs to.
  function correction(m, sec) {
    var open = $('correct-form');
    if (open && $('c-name')) { $('c-name').focus(); return; }
    if (open) open.remove(); // the last suggestion was sent: offer a fresh form
    var loc = m.location || {}, on = m.online || {};
    var hhmm = function (v) { return v ? String(v).slice(0, 5) : ''; };
    var orNull = function (v) { return v === '' ? null : v; };
    // [input id, label key, input type, current value, patch for a new value, API field names]
    var fields = [
      ['c-name', 'correct_name', 'text', m.name || '', function (v) { return { name: v }; }, ['name']],
      ['c-day', 'day_label', 'select', m.day != null ? String(m.day) : '', function (v) { return { day: v === '' ? null : +v }; }, ['day', 'by_appointment']],
      ['c-start', 'correct_start', 'time', hhmm(m.start_time), function (v) { return { start_time: orNull(v) }; }, ['start_time']],
      ['c-end', 'correct_end', 'time', hhmm(m.end_time), function (v) { return { end_time: orNull(v) }; }, ['end_time']],
      ['c-address', 'correct_address', 'text', loc.formatted_address || '', function (v) { return { location: { formatted_address: v } }; }, ['location']],
      ['c-url', 'correct_url', 'url', on.url || '', function (v) { return { online: { url: v } }; }, ['online.url', 'online']],
      ['c-phone', 'correct_phone', 'tel', on.phone || '', function (v) { return { online: { phone: v } }; }, ['online.phone']],
      ['c-notes', 'correct_notes', 'textarea', m.notes || '', function (v) { return { notes: v }; }, ['notes']],
      ['c-contact', 'correct_contact', 'email', '', null, ['contact']]
    ];
    var msg = h('p', { role: 'status', id: 'correct-status', class: 'hint' });
    var form = h('form', { id: 'correct-form', 'aria-labelledby': 'correct-h', novalidate: true },
      h('h3', { id: 'correct-h' }, t('correct_h')), h('p', { class: 'hint', id: 'correct-help' }, t('correct_help')));
    fields.forEach(function (f) {
      var input;
      if (f[2] === 'select') {
        input = h('select', { id: f[0] });
        if (m.day == null) input.appendChild(h('option', { value: '' }, t('by_appointment')));
        for (var i = 0; i < 7; i++) input.appendChild(h('option', { value: String(i), selected: String(i) === f[3] }, t('day_' + i)));
      } else if (f[2] === 'textarea') {
        input = h('textarea', { id: f[0] }, f[3]);
      } else {
        input = h('input', { id: f[0], type: f[2], value: f[3], autocomplete: f[2] === 'email' ? 'email' : 'off' });
      }
      form.appendChild(h('div', { class: 'cfield' },
        h('label', { for: f[0] }, t(f[1])), input,
        h('p', { id: f[0] + '-err', class: 'field-error', hidden: true })));
    });
    var send = h('button', { type: 'submit', class: 'primary' }, t('correct_send'));
    form.appendChild(h('div', { class: 'actions' }, send,
      h('button', { type: 'button', onclick: function () { form.remove(); $('correct').focus(); } }, t('correct_cancel'))));
    form.appendChild(msg);

    var clearErrors = function () {
      fields.forEach(function (f) {
        var e = $(f[0] + '-err');
        e.hidden = true; e.textContent = '';
        $(f[0]).removeAttribute('aria-invalid');
        $(f[0]).removeAttribute('aria-describedby');
      });
      msg.textContent = '';
      msg.classList.remove('error');
    };
    // showErrors puts each reason under its field and returns the first
    // field marked, or null when none of the names is a field of the form.
    var showErrors = function (bad) {
      var first = null, rest = [];
      Object.keys(bad).sort().forEach(function (k) {
        var name = k.replace(/^proposed\./, '');
        var f = fields.find(function (f) { return f[5].some(function (n) { return name === n || name.indexOf(n + '.') === 0; }); });
        if (!f) { rest.push(bad[k]); return; }
        var e = $(f[0] + '-err');
        e.textContent = (e.textContent ? e.textContent + ' ' : '') + t('correct_field_error', { field: t(f[1]), reason: bad[k] });
        e.hidden = false;
        $(f[0]).setAttribute('aria-invalid', 'true');
        $(f[0]).setAttribute('aria-describedby', f[0] + '-err');
        if (!first || fields.indexOf(f) < fields.indexOf(first)) first = f;
      });
      msg.textContent = first ? t('correct_fix') : t('correct_failed');
      if (rest.length) msg.textContent += ' ' + rest.join('; ');
      msg.classList.add('error');
      return first;
    };

    form.addEventListener('submit', function (e) {
      e.preventDefault();
      clearErrors();
      var patch = {}, n = 0;
      var merge = function (a, b) { for (var k in b) { if (typeof b[k] === 'object' && b[k]) { a[k] = a[k] || {}; merge(a[k], b[k]); } else a[k] = b[k]; } };
      fields.forEach(function (f) { var v = $(f[0]).value.trim(); if (f[4] && v !== f[3]) { merge(patch, f[4](v)); n++; } });
      if (!n) { msg.textContent = t('correct_empty'); msg.classList.add('error'); $('c-name').focus(); return; }
      var body = { proposed: patch };
      var contact = $('c-contact').value.trim();
      if (contact) body.contact = contact;
      var path = cfg.features.corrections.replace(/:[a-z_]+/i, encodeURIComponent(m.id));
      send.disabled = true;
      msg.textContent = t('correct_sending');
      fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, body: JSON.stringify(body) })
        .then(function (r) {
          if (r.ok) {
            form.textContent = '';
            form.appendChild(h('h3', { id: 'correct-h' }, t('correct_h')));
            form.appendChild(h('p', { role: 'status', id: 'correct-done', tabindex: '-1' }, t('correct_thanks')));
            $('correct-done').focus();
            return;
          }
          return r.json().catch(function () { return {}; }).then(function (d) {
            send.disabled = false;
            var bad = r.status === 400 && d && d.error && d.error.fields;
            if (bad) {
              var f = showErrors(bad);
              if (f) $(f[0]).focus();
              return;
            }
            msg.textContent = r.status === 429 ? t('correct_busy') : t('correct_failed');
            msg.classList.add('error');
          });
        }).catch(function () {
          send.disabled = false;
          msg.textContent = t('correct_failed');
          msg.classList.add('error');
        });
    });
    sec.appendChild(form);
    $('c-name').focus();
  }

  // ---- start ----

  function start() {
    readURL();
    var chosen = pickLang();
    Promise.all([getJSON('/config.json'), getJSON('/static/i18n/' + chosen + '.json')]).then(function (r) {
      cfg = r[0]; S = r[1]; lang = chosen;
      applyStrings();
      if (!cfg.features.places) {
        $('place').setAttribute('aria-describedby', 'place-note');
        $('place-note').hidden = false;
        $('city-pick').hidden = false;
        cfg.cities.forEach(function (c, i) { $('city').appendChild(h('option', { value: String(i), text: c.name })); });
      }
      $('show-map').hidden = !cfg.features.map;
      if (!cfg.features.map && state.view === 'map') state.view = 'list';
      $('q').value = state.q;
      $('q').addEventListener('input', onQInput);
      $('q').addEventListener('keydown', onQKey);
      $('retry').addEventListener('click', function () { search(); });
      $('search').addEventListener('change', onFilterChange);
      $('search').addEventListener('submit', function (e) { e.preventDefault(); findPlace(); });
      $('place').addEventListener('keydown', function (e) { if (e.key === 'Enter') { e.preventDefault(); findPlace(); } });
      $('place').addEventListener('input', suggestPlaces);
      $('where-pick').addEventListener('keydown', placeKeys);
      $('place-go').addEventListener('click', findPlace);
      $('city').addEventListener('change', function () { var c = cfg.cities[+$('city').value]; if (c) setPoint(c.lat, c.lng, c.name); });
      $('locate').addEventListener('click', locate);
      $('change-place').addEventListener('click', function () { $('where-pick').hidden = false; $('change-place').hidden = true; $('locate').focus(); });
      $('clear').addEventListener('click', function () {
        ['tod', 'att', 'program', 'dist'].forEach(function (k) { state[k] = ''; });
        state.types = [];
        buildChoices(); writeURL(false); search();
      });
      $('lang').addEventListener('change', function () {
        var l = $('lang').value;
        try { localStorage.setItem('mf-lang', l); } catch (e) { /* storage blocked */ }
        loadLang(l).then(function () { writeURL(false); });
      });
      $('show-list').addEventListener('click', function () { setView('list', true); });
      $('show-map').addEventListener('click', function () { setView('map', true); });
      $('search-area').addEventListener('click', searchArea);
      $('more').addEventListener('click', function () { search(true); });
      $('share').addEventListener('click', function () { share(shareURL({ m: '' }), t('title'), document.querySelector('.bar')); });
      if (state.m) { showMeetingPane(true); renderMeetingById(state.m, true); } else setView(state.view);
      search();
    }).catch(function () { say(t('error'), true); });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start); else start();
})();

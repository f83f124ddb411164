// The page's script: draws the diff flame graph from the embedded data and
// fills the tables. It loads nothing: every name is shown with textContent
// or drawn on the canvas, never parsed as markup.
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('data').textContent);
  var S = D.strings, N = D.nodes, count = N.name.length;
  var ROW = 18;
  var $ = function (id) { return document.getElementById(id); };

  // The tree: parents, depths and child lists (the data lists nodes in
  // depth-first order, children in the order the window draws them).
  var parent = new Int32Array(count), depth = new Int32Array(count);
  var kids = new Array(count);
  parent[0] = -1;
  for (var i = 0; i < count; i++) kids[i] = [];
  for (i = 1; i < count; i++) {
    parent[i] = i - N.parent[i];
    depth[i] = depth[parent[i]] + 1;
    kids[parent[i]].push(i);
  }
  var hasBase = D.base !== '';
  var unit = D.sample.unit;

  // Units, as the window writes them: bytes 1024-based.
  function scaled(v, base, u, units) {
    if (v < base) return String(v) + u;
    var f = v, k = u;
    for (var j = 0; j < units.length && f >= base; j++) { f /= base; k = units[j]; }
    var p = f >= 100 ? 0 : f >= 10 ? 1 : 2;
    var s = f.toFixed(p);
    if (s.indexOf('.') >= 0) s = s.replace(/0+$/, '').replace(/\.$/, '');
    return s + k;
  }
  function fmt(v, u) {
    u = (u || unit || '').toLowerCase();
    var neg = v < 0, m = Math.abs(v), s;
    if (u === 'bytes' || u === 'byte' || u === 'b') s = scaled(m, 1024, 'B', ['kB', 'MB', 'GB', 'TB', 'PB', 'EB']);
    else if (u === 'nanoseconds' || u === 'ns') s = scaled(m, 1000, 'ns', ['us', 'ms', 's']);
    else s = String(m);
    return (neg ? '-' : '') + s;
  }
  function fmtDelta(v, u) { return (v > 0 ? '+' : '') + fmt(v, u); }
  function pct(d, b) {
    if (b === 0) return d === 0 ? '' : 'new';
    var p = 100 * d / b;
    return (p > 0 ? '+' : '') + (Math.abs(p) >= 10 ? p.toFixed(0) : p.toFixed(1)) + '%';
  }
  function where(file, line) {
    if (!file) return '';
    return line ? file + ':' + line : file;
  }
  function base(path) { return path.replace(/^.*[\\/]/, ''); }
  function text(tag, s, cls) {
    var e = document.createElement(tag);
    if (s !== undefined) e.textContent = s;
    if (cls) e.className = cls;
    return e;
  }

  // Header.
  var rootB = N.base[0], rootL = N.later[0];
  $('files').textContent = hasBase ? D.base + ' → ' + D.later : D.later;
  var sum = D.sample.type + ' (' + D.sample.unit + '): ';
  if (hasBase) {
    sum += 'base ' + fmt(rootB) + ' → later ' + fmt(rootL) + ', Δ ' + fmtDelta(rootL - rootB);
    var p = pct(rootL - rootB, rootB);
    if (p) sum += ' (' + p + ')';
  } else {
    sum += 'total ' + fmt(rootL);
  }
  $('summary').textContent = sum;
  var notes = (D.notes || []).slice();
  if (D.pruned.frames > 0) {
    notes.push(D.pruned.frames + ' frames smaller than ' + fmt(D.pruned.below) + ' (' +
      (100 * D.pruned.below / Math.max(rootB, rootL, 1)).toPrecision(2) + '% of the total) are left out of the graph (' +
      (hasBase ? fmt(D.pruned.base) + ' base, ' : '') + fmt(D.pruned.later) + (hasBase ? ' later' : '') +
      '); their values stay in their callers, so every total is exact.');
  }
  notes.forEach(function (n) { $('notes').appendChild(text('li', n)); });
  if (D.title) $('graph-title').textContent = 'Flame graph: ' + D.title;

  // Legend.
  (D.legend || []).forEach(function (e) {
    var s = text('span', undefined, 'swatch');
    var i = text('i', undefined, e.mark);
    i.style.backgroundColor = e.color;
    s.appendChild(i);
    s.appendChild(text('span', e.label));
    $('legend').appendChild(s);
  });
  if (D.legend && D.legend.length) {
    $('legend').insertBefore(text('span', 'Colour: ' + D.colorMode + '.'), $('legend').firstChild);
  }

  // The graph's state.
  var mode = D.mode || 'later';
  $('mode').value = mode;
  if (!hasBase) $('mode').disabled = true;
  var zoomTo = D.zoom || 0;
  var matched = null; // Uint8Array of matched nodes, or null
  var hover = -1, cursor = -1;
  var rows = [];      // per row, boxes sorted by x: {n, x, w}
  var canvas = $('graph'), ctx = canvas.getContext('2d');

  function weight(i) {
    var w = mode === 'base' ? N.base[i] : mode === 'max' ? N.max[i] : N.later[i];
    return w > 0 ? w : 0;
  }
  function path(i) {
    var p = [];
    for (; i >= 0; i = parent[i]) p.unshift(i);
    return p;
  }

  // The zoomed frame's callers take a row each, the nearest FOLD of them;
  // those above fold into one row (the breadcrumb names them all).
  var FOLD = 3;
  // Runs of two or more runtime frames fold into one row, as in the
  // window: a run goes on to a child that is a runtime frame and holds 99 %
  // of the frame's width. A click on the row shows its frames.
  var RT = N.runtime || null;
  var showRuntime = false, expanded = {};
  function run(n) {
    if (!RT || showRuntime || !RT[n] || expanded[n]) return null;
    var end = n, len = 1;
    for (;;) {
      var w = weight(end), next = -1, ks = kids[end];
      for (var k = 0; k < ks.length; k++) {
        var cw = weight(ks[k]);
        if (cw > 0 && cw * 100 >= w * 99) { next = ks[k]; break; }
      }
      if (next < 0 || !RT[next]) break;
      end = next; len++;
    }
    return len >= 2 ? { end: end, len: len } : null;
  }
  function layout(width) {
    rows = [];
    var anc = path(zoomTo);
    var first = 0;
    if (anc.length - 1 > FOLD + 1) {
      first = anc.length - 1 - FOLD;
      rows.push([{ n: anc[first - 1], x: 0, w: width, folded: first }]);
    }
    for (var r = first; r < anc.length - 1; r++) rows.push([{ n: anc[r], x: 0, w: width }]);
    function place(n, x, w, row) {
      var r = run(n);
      (rows[row] = rows[row] || []).push(r ? { n: n, x: x, w: w, run: r.end, len: r.len } : { n: n, x: x, w: w });
      if (r) n = r.end;
      var total = weight(n);
      if (total <= 0) return;
      var scale = w / total, cx = x;
      var ks = kids[n];
      for (var k = 0; k < ks.length; k++) {
        var cw = weight(ks[k]) * scale;
        if (cw >= 1) place(ks[k], cx, cw, row + 1);
        cx += cw;
      }
    }
    place(zoomTo, 0, width, rows.length);
  }

  function mix(hex, to, k) {
    var a = parseInt(hex.slice(1), 16), b = parseInt(to.slice(1), 16);
    var c = [16, 8, 0].map(function (s) {
      var x = (a >> s) & 255, y = (b >> s) & 255;
      return Math.round(x + (y - x) * k);
    });
    return 'rgb(' + c.join(',') + ')';
  }
  function dark(hex) {
    var v = parseInt(hex.slice(1), 16);
    var lum = 0.2126 * ((v >> 16) & 255) + 0.7152 * ((v >> 8) & 255) + 0.0722 * (v & 255);
    return lum < 110;
  }
  function shortName(name) {
    var paren = name.indexOf('(');
    var head = paren >= 0 ? name.slice(0, paren) : name;
    var slash = head.lastIndexOf('/');
    return slash >= 0 ? name.slice(slash + 1) : name;
  }
  function fit(label, avail) {
    if (ctx.measureText(label).width <= avail) return label;
    var s = shortName(label);
    if (s !== label && ctx.measureText(s).width <= avail) return s;
    var lo = 0, hi = s.length;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (ctx.measureText(s.slice(0, mid) + '…').width <= avail) lo = mid; else hi = mid - 1;
    }
    return lo > 0 ? s.slice(0, lo) + '…' : '';
  }
  var hatch = null;
  function hatchPattern() {
    if (hatch) return hatch;
    var c = document.createElement('canvas');
    c.width = c.height = 6;
    var g = c.getContext('2d');
    g.strokeStyle = 'rgba(255,255,255,0.75)';
    g.lineWidth = 2;
    g.beginPath(); g.moveTo(0, 6); g.lineTo(6, 0); g.moveTo(-3, 3); g.lineTo(3, -3); g.moveTo(3, 9); g.lineTo(9, 3); g.stroke();
    hatch = ctx.createPattern(c, 'repeat');
    return hatch;
  }

  function draw() {
    var width = canvas.clientWidth || 800;
    layout(width);
    var dpr = window.devicePixelRatio || 1;
    var height = Math.max(rows.length, 1) * ROW;
    canvas.style.height = height + 'px';
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(height * dpr);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    ctx.font = '12px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    for (var r = 0; r < rows.length; r++) {
      var row = rows[r];
      for (var k = 0; k < row.length; k++) {
        var b = row[k], n = b.n, y = r * ROW;
        var w = b.w > 2 ? b.w - 1 : b.w;
        if (b.run !== undefined) {
          ctx.fillStyle = '#d8d8d4';
          ctx.fillRect(b.x, y, w, ROW - 1);
          ctx.fillStyle = '#1a1a1a';
          var rl = fit('… ' + b.len + ' runtime frames (' + shortName(S[N.short[b.n]]) + ' … ' + shortName(S[N.short[b.run]]) + ')', w - 6);
          if (rl) ctx.fillText(rl, b.x + 3, y + ROW / 2);
          continue;
        }
        if (b.folded) {
          ctx.fillStyle = '#d8d8d4';
          ctx.fillRect(b.x, y, w, ROW - 1);
          ctx.fillStyle = '#1a1a1a';
          ctx.fillText(fit('… ' + b.folded + ' callers (the path above names them; click to go up)', w - 6), b.x + 3, y + ROW / 2);
          continue;
        }
        var color = D.colors[N.color[n]];
        var fill = color;
        if (matched && !matched[n]) fill = mix(color, '#f4f4f4', 0.72);
        ctx.fillStyle = fill;
        ctx.fillRect(b.x, y, w, ROW - 1);
        var gone = hasBase && N.later[n] === 0 && N.base[n] > 0;
        var fresh = hasBase && N.base[n] === 0 && N.later[n] > 0;
        if (gone) { ctx.fillStyle = hatchPattern(); ctx.fillRect(b.x, y, w, ROW - 1); }
        if (fresh) { ctx.fillStyle = mix(color, '#400000', 0.6); ctx.fillRect(b.x, y, Math.min(3, w), ROW - 1); }
        if (matched && matched[n]) { ctx.strokeStyle = '#6a1b9a'; ctx.lineWidth = 1.5; ctx.strokeRect(b.x + 0.75, y + 0.75, w - 1.5, ROW - 2.5); }
        if (n === hover) { ctx.strokeStyle = '#101010'; ctx.lineWidth = 1; ctx.strokeRect(b.x + 0.5, y + 0.5, w - 1, ROW - 2); }
        if (n === cursor) { ctx.strokeStyle = '#005fd0'; ctx.lineWidth = 2; ctx.strokeRect(b.x + 1, y + 1, w - 2, ROW - 3); }
        var pad = fresh ? 6 : 3;
        if (w - 2 * pad >= 10) {
          var label = fit(S[N.short[n]], w - 2 * pad);
          if (label) {
            ctx.fillStyle = dark(color) && !(matched && !matched[n]) ? '#ffffff' : '#1a1a1a';
            ctx.fillText(label, b.x + pad, y + ROW / 2);
          }
        }
      }
    }
    crumbs();
  }

  function boxAt(x, y) {
    var row = rows[Math.floor(y / ROW)];
    if (!row) return null;
    for (var k = 0; k < row.length; k++) {
      if (row[k].x <= x && x < row[k].x + row[k].w) return row[k];
    }
    return null;
  }
  function boxOf(n) {
    for (var r = 0; r < rows.length; r++) {
      for (var k = 0; k < rows[r].length; k++) if (rows[r][k].n === n) return { r: r, b: rows[r][k], k: k };
    }
    return null;
  }

  function describe(n) {
    var lines = [S[N.name[n]]];
    var w = where(S[N.file[n]], N.line[n]);
    if (w) lines.push(w);
    var b = N.base[n], l = N.later[n];
    if (hasBase) {
      var p = pct(l - b, b);
      lines.push('base ' + fmt(b) + ' → later ' + fmt(l) + ', Δ ' + fmtDelta(l - b) + (p ? ' (' + p + ')' : ''));
      var tot = Math.max(rootL, rootB);
      if (tot > 0) lines.push('share: ' + (100 * l / (rootL || 1)).toFixed(1) + '% of later, Δ is ' + (100 * (l - b) / tot).toFixed(1) + '% of the larger total');
    } else {
      lines.push(fmt(l) + ' (' + (100 * l / (rootL || 1)).toFixed(1) + '% of the total)');
    }
    return lines;
  }
  function showTip(n, px, py) {
    var tip = $('tip');
    if (n < 0) { tip.hidden = true; return; }
    tip.textContent = '';
    describe(n).forEach(function (s, i) { tip.appendChild(text(i === 0 ? 'b' : 'div', s)); });
    tip.hidden = false;
    var box = $('graph-box').getBoundingClientRect();
    var x = Math.min(px + 14, box.width - tip.offsetWidth - 4);
    tip.style.left = Math.max(0, x) + 'px';
    tip.style.top = (py + 18) + 'px';
  }
  function status(n) {
    $('status').textContent = n >= 0 ? describe(n).join(' · ') : '';
  }

  function crumbs() {
    var c = $('crumbs');
    c.textContent = '';
    path(zoomTo).forEach(function (n, i) {
      if (i > 0) c.appendChild(text('span', '›'));
      var b = text('button', i === 0 ? 'all' : shortName(S[N.short[n]]));
      b.type = 'button';
      b.title = S[N.name[n]];
      if (n === zoomTo) b.setAttribute('aria-current', 'true');
      b.addEventListener('click', function () { zoom(n); });
      c.appendChild(b);
    });
  }

  function zoom(n) {
    zoomTo = n;
    cursor = n;
    hover = -1;
    $('tip').hidden = true;
    draw();
    status(n);
  }

  canvas.addEventListener('mousemove', function (e) {
    var r = canvas.getBoundingClientRect();
    var b = boxAt(e.clientX - r.left, e.clientY - r.top);
    var n = b && !b.folded && b.run === undefined ? b.n : -1;
    if (n !== hover) { hover = n; draw(); }
    showTip(n, e.clientX - r.left, e.clientY - r.top);
    status(n);
  });
  canvas.addEventListener('mouseleave', function () { hover = -1; $('tip').hidden = true; draw(); });
  canvas.addEventListener('click', function (e) {
    var r = canvas.getBoundingClientRect();
    var b = boxAt(e.clientX - r.left, e.clientY - r.top);
    if (b && b.run !== undefined) {
      for (var n = b.run; n >= 0; n = parent[n]) { expanded[n] = true; if (n === b.n) break; }
      draw();
      return;
    }
    if (b) zoom(b.folded ? parent[zoomTo] : b.n);
  });
  canvas.addEventListener('keydown', function (e) {
    var at = cursor >= 0 ? boxOf(cursor) : null;
    var next = -1;
    if (!at) at = boxOf(zoomTo);
    if (!at) return;
    switch (e.key) {
      case 'ArrowUp': next = at.r > 0 ? parent[at.b.n] : -1; break;
      case 'ArrowDown':
        var below = rows[at.r + 1] || [];
        for (var k = 0; k < below.length; k++) {
          if (below[k].x >= at.b.x - 0.01 && below[k].x < at.b.x + at.b.w && (next < 0 || below[k].w > boxOf(next).b.w)) next = below[k].n;
        }
        break;
      case 'ArrowLeft': if (at.k > 0) next = rows[at.r][at.k - 1].n; break;
      case 'ArrowRight': if (at.k + 1 < rows[at.r].length) next = rows[at.r][at.k + 1].n; break;
      case 'Enter': zoom(at.b.n); e.preventDefault(); return;
      case 'Escape': if (zoomTo !== 0) zoom(parent[zoomTo]); e.preventDefault(); return;
      default: return;
    }
    e.preventDefault();
    if (next >= 0) {
      cursor = next;
      draw();
      status(next);
      var bx = boxOf(next);
      if (bx) showTip(next, bx.b.x + bx.b.w / 2, bx.r * ROW);
    }
  });
  document.addEventListener('keydown', function (e) {
    if (e.key === '/' && document.activeElement !== $('search')) { e.preventDefault(); $('search').focus(); }
  });
  $('reset').addEventListener('click', function () { zoom(0); });
  if (RT) {
    $('runtime-box').hidden = false;
    $('runtime').addEventListener('change', function () { showRuntime = this.checked; draw(); });
  }
  $('mode').addEventListener('change', function () { mode = this.value; draw(); });
  window.addEventListener('resize', draw);

  // Search: a regular expression (or the text itself when it is not one)
  // matched against function names; the count is of frames, the share of
  // the later total held by the outermost matches.
  function search(q) {
    matched = null;
    var m = $('matches');
    m.textContent = '';
    if (q) {
      var re;
      try { re = new RegExp(q); } catch (err) { re = new RegExp(q.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')); }
      var hit = new Uint8Array(S.length);
      for (var s = 0; s < S.length; s++) if (re.test(S[s])) hit[s] = 1;
      matched = new Uint8Array(count);
      var frames = 0, held = 0;
      var inside = new Uint8Array(count);
      for (var i = 1; i < count; i++) {
        inside[i] = inside[parent[i]];
        if (hit[N.name[i]]) {
          matched[i] = 1;
          frames++;
          if (!inside[i]) held += N.later[i];
          inside[i] = 1;
        }
      }
      m.textContent = frames === 1 ? '1 frame matches' : frames + ' frames match';
      if (frames > 0 && rootL > 0) m.textContent += ' (' + (100 * held / rootL).toFixed(1) + '% of ' + (hasBase ? 'later' : 'total') + ')';
    }
    draw();
  }
  var timer = 0;
  $('search').addEventListener('input', function () {
    var q = this.value;
    clearTimeout(timer);
    timer = setTimeout(function () { search(q); }, 120);
  });
  $('search').addEventListener('keydown', function (e) {
    if (e.key === 'Enter') { clearTimeout(timer); search(this.value); }
  });

  // A sparkline of values, as an inline SVG.
  function spark(values) {
    var ns = 'http://www.w3.org/2000/svg';
    var svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('class', 'spark');
    svg.setAttribute('viewBox', '0 0 80 18');
    svg.setAttribute('preserveAspectRatio', 'none');
    var lo = Math.min.apply(null, values), hi = Math.max.apply(null, values);
    var pts = values.map(function (v, i) {
      var x = values.length > 1 ? 1 + 78 * i / (values.length - 1) : 40;
      var y = hi > lo ? 16 - 14 * (v - lo) / (hi - lo) : 9;
      return x.toFixed(1) + ',' + y.toFixed(1);
    });
    var pl = document.createElementNS(ns, 'polyline');
    pl.setAttribute('points', pts.join(' '));
    pl.setAttribute('fill', 'none');
    pl.setAttribute('stroke', '#b3261e');
    pl.setAttribute('stroke-width', '1.5');
    svg.appendChild(pl);
    return svg;
  }
  function deltaCell(d, u) {
    var td = text('td', hasBase ? fmtDelta(d, u) : '', 'num');
    if (d > 0) td.className += ' grew'; else if (d < 0) td.className += ' shrank';
    return td;
  }

  // A table sorted by clicking (or pressing Enter on) its headers.
  function table(el, columns, rows, render, limit) {
    var key = -1, desc = true, shown = limit;
    var head = el.tHead, body = el.tBodies[0];
    var tr = document.createElement('tr');
    columns.forEach(function (c, i) {
      var th = text('th', undefined, c.num ? 'num' : '');
      if (c.sort) {
        var b = text('button', c.label);
        b.type = 'button';
        b.addEventListener('click', function () {
          desc = key === i ? !desc : true;
          key = i;
          Array.prototype.forEach.call(tr.querySelectorAll('button'), function (x) { x.removeAttribute('aria-sort'); });
          b.setAttribute('aria-sort', desc ? 'descending' : 'ascending');
          rows.sort(function (a, z) {
            var x = c.sort(a), y = c.sort(z);
            var o = typeof x === 'string' ? x.localeCompare(y) : x - y;
            return desc ? -o : o;
          });
          fill();
        });
        th.appendChild(b);
      } else {
        th.textContent = c.label;
      }
      tr.appendChild(th);
    });
    head.appendChild(tr);
    function fill() {
      body.textContent = '';
      var n = shown ? Math.min(shown, rows.length) : rows.length;
      for (var i = 0; i < n; i++) render(body, rows[i]);
      var more = el.parentNode.querySelector('button[id^=more]');
      if (more) {
        more.hidden = n >= rows.length;
        more.textContent = 'Show all ' + rows.length + ' rows';
      }
    }
    var more = el.parentNode.querySelector('button[id^=more]');
    if (more) more.addEventListener('click', function () { shown = 0; fill(); });
    fill();
  }

  // Functions.
  var fns = D.functions || [];
  var fnWhere = fns.some(function (f) { return S[f[1]] !== ''; });
  var fcols = [
    { label: 'Function', sort: function (f) { return S[f[0]]; } }];
  if (fnWhere) fcols.push({ label: 'Where' });
  fcols = fcols.concat([
    { label: hasBase ? 'Flat base' : 'Flat', num: true, sort: function (f) { return hasBase ? f[3] : f[4]; } }
  ]);
  if (hasBase) {
    fcols.push({ label: 'Flat later', num: true, sort: function (f) { return f[4]; } });
    fcols.push({ label: 'Flat Δ', num: true, sort: function (f) { return f[4] - f[3]; } });
    fcols.push({ label: 'Cum base', num: true, sort: function (f) { return f[5]; } });
  }
  fcols.push({ label: hasBase ? 'Cum later' : 'Cum', num: true, sort: function (f) { return f[6]; } });
  if (hasBase) fcols.push({ label: 'Cum Δ', num: true, sort: function (f) { return f[6] - f[5]; } });
  table($('functions'), fcols, fns, function (body, f) {
    var tr = text('tr', undefined, 'fn');
    tr.tabIndex = 0;
    tr.appendChild(text('td', S[f[0]]));
    if (fnWhere) tr.appendChild(text('td', where(S[f[1]], f[2]), 'where'));
    if (hasBase) {
      tr.appendChild(text('td', fmt(f[3]), 'num'));
      tr.appendChild(text('td', fmt(f[4]), 'num'));
      tr.appendChild(deltaCell(f[4] - f[3]));
      tr.appendChild(text('td', fmt(f[5]), 'num'));
      tr.appendChild(text('td', fmt(f[6]), 'num'));
      tr.appendChild(deltaCell(f[6] - f[5]));
    } else {
      tr.appendChild(text('td', fmt(f[4]), 'num'));
      tr.appendChild(text('td', fmt(f[6]), 'num'));
    }
    var find = function () {
      var q = '^' + S[f[0]].replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '$';
      $('search').value = q;
      search(q);
      $('graph-section').scrollIntoView();
    };
    tr.addEventListener('click', find);
    tr.addEventListener('keydown', function (e) { if (e.key === 'Enter') find(); });
    body.appendChild(tr);
  }, 300);

  // Sites, each with its stack on a row of its own, shown on a click.
  if (D.sites && D.sites.rows && D.sites.rows.length) {
    $('sites-section').hidden = false;
    $('sites-title').textContent = D.sites.title;
    $('sites-note').textContent = D.sites.note;
    var su = D.sites.unit;
    var series = D.sites.rows.some(function (r) { return r.trend; });
    var scols = [
      { label: 'Site', sort: function (r) { return r.function; } },
      { label: 'Where' }
    ];
    if (hasBase) scols.push({ label: 'Base', num: true, sort: function (r) { return r.base; } });
    scols.push({ label: hasBase ? 'Later' : 'Count', num: true, sort: function (r) { return r.later; } });
    if (hasBase) scols.push({ label: 'Δ', num: true, sort: function (r) { return r.later - r.base; } });
    if (series) {
      scols.push({ label: 'Trend' });
      scols.push({ label: 'Score', num: true, sort: function (r) { return r.score === null ? -1 : r.score; } });
    }
    scols.push({ label: 'Detail' });
    table($('sites'), scols, D.sites.rows, function (body, r) {
      var tr = text('tr', undefined, 'site');
      tr.tabIndex = 0;
      tr.setAttribute('aria-expanded', 'false');
      tr.appendChild(text('td', r.function));
      tr.appendChild(text('td', where(r.file, r.line), 'where'));
      if (hasBase) tr.appendChild(text('td', fmt(r.base, su), 'num'));
      tr.appendChild(text('td', fmt(r.later, su), 'num'));
      if (hasBase) tr.appendChild(deltaCell(r.later - r.base, su));
      if (series) {
        var td = text('td');
        if (r.trend) td.appendChild(spark(r.trend));
        tr.appendChild(td);
        tr.appendChild(text('td', r.score === null ? '' : r.score.toFixed(2), 'num'));
      }
      tr.appendChild(text('td', r.detail));
      body.appendChild(tr);
      var open = null;
      var toggle = function () {
        if (open) { open.remove(); open = null; tr.setAttribute('aria-expanded', 'false'); return; }
        open = text('tr', undefined, 'stack');
        var td = text('td');
        td.colSpan = scols.length;
        var ol = text('ol');
        (r.stack || []).forEach(function (f) {
          ol.appendChild(text('li', f[0] + (f[1] ? '  ' + where(f[1], f[2]) : '')));
        });
        if (!r.stack || !r.stack.length) td.appendChild(text('span', 'No stack recorded.'));
        td.appendChild(ol);
        open.appendChild(td);
        tr.after(open);
        tr.setAttribute('aria-expanded', 'true');
      };
      tr.addEventListener('click', toggle);
      tr.addEventListener('keydown', function (e) { if (e.key === 'Enter') toggle(); });
    }, 0);
  }

  // The series' timeline: the total at each snapshot, the pair marked.
  if (D.series && D.series.totals && D.series.totals.length) {
    var T = D.series;
    $('timeline-section').hidden = false;
    var svg = $('timeline'), ns = 'http://www.w3.org/2000/svg';
    var W = svg.clientWidth || 800, H = 110, L = 70, R = 10, top = 10, bottom = 30;
    svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
    var lo = Math.min.apply(null, T.totals), hi = Math.max.apply(null, T.totals);
    var xs = function (i) { return L + (W - L - R) * (T.totals.length > 1 ? i / (T.totals.length - 1) : 0.5); };
    var ys = function (v) { return hi > lo ? top + (H - top - bottom) * (1 - (v - lo) / (hi - lo)) : H / 2; };
    var el = function (tag, attrs, s) {
      var e = document.createElementNS(ns, tag);
      for (var k in attrs) e.setAttribute(k, attrs[k]);
      if (s !== undefined) e.textContent = s;
      svg.appendChild(e);
      return e;
    };
    [['base', T.base, '#1f5fa8'], ['later', T.later, '#b3261e']].forEach(function (m) {
      el('line', { x1: xs(m[1]), x2: xs(m[1]), y1: top, y2: H - bottom, stroke: m[2], 'stroke-dasharray': '4 3' });
      var right = xs(m[1]) > W / 2;
      el('text', { x: xs(m[1]) + (right ? -3 : 3), y: m[0] === 'base' ? top + 10 : top + 24, fill: m[2], 'text-anchor': right ? 'end' : 'start' },
        m[0] + ': ' + base(T.names[m[1]] || ''));
    });
    el('polyline', { points: T.totals.map(function (v, i) { return xs(i) + ',' + ys(v); }).join(' '), fill: 'none', stroke: '#333', 'stroke-width': 1.5 });
    T.totals.forEach(function (v, i) {
      var c = el('circle', { cx: xs(i), cy: ys(v), r: 2.5, fill: '#333' });
      var t = document.createElementNS(ns, 'title');
      t.textContent = base(T.names[i] || '') + ': ' + fmt(v, T.unit);
      c.appendChild(t);
    });
    el('text', { x: 2, y: top + 4 }, fmt(hi, T.unit));
    el('text', { x: 2, y: H - bottom }, fmt(lo, T.unit));
    el('text', { x: L, y: H - 8 }, base(T.names[0] || ''));
    el('text', { x: W - R, y: H - 8, 'text-anchor': 'end' }, base(T.names[T.names.length - 1] || '') + ' (' + T.totals.length + ' snapshots)');
  }

  // Findings: a card each; a click zooms the graph to the site's widest
  // frame.
  function zoomToFunction(name) {
    var best = -1;
    for (var i = 1; i < count; i++) {
      if (S[N.name[i]] === name && (best < 0 || weight(i) > weight(best))) best = i;
    }
    if (best >= 0) { zoom(best); $('graph-section').scrollIntoView(); }
  }
  (D.findings || []).forEach(function (f, i) {
    $('findings-section').hidden = false;
    var card = text('div', undefined, 'finding');
    card.tabIndex = 0;
    card.setAttribute('role', 'button');
    card.appendChild(text('h3', (i + 1) + '. ' + f.title));
    card.appendChild(text('p', f.summary));
    var ol = text('ol');
    var steps = f.path || [];
    steps.slice(Math.max(0, steps.length - 6)).forEach(function (s, j) {
      var li = text('li', '  '.repeat(Math.min(j, 6)) + '↳ ' + s['function'] + (s.where ? '  ' + s.where : ''));
      if (s.source) li.appendChild(text('code', s.source));
      ol.appendChild(li);
    });
    card.appendChild(ol);
    if (f.holds) card.appendChild(text('p', 'Holds: ' + f.holds));
    var go = function () { zoomToFunction(f['function']); };
    card.addEventListener('click', go);
    card.addEventListener('keydown', function (e) { if (e.key === 'Enter') go(); });
    $('findings').appendChild(card);
  });

  // For scripts and tests: where a frame is drawn, and what is shown.
  window.leakscope = {
    version: D.version,
    box: function (name) {
      for (var r = 0; r < rows.length; r++) {
        for (var k = 0; k < rows[r].length; k++) {
          var b = rows[r][k];
          if (!b.folded && b.run === undefined && S[N.name[b.n]] === name) {
            var c = canvas.getBoundingClientRect();
            return { x: c.left + b.x, y: c.top + r * ROW, w: b.w, h: ROW - 1 };
          }
        }
      }
      return null;
    },
    zoomed: function () { return zoomTo === 0 ? 'all' : S[N.name[zoomTo]]; }
  };

  if (D.search) { $('search').value = D.search; search(D.search); } else { draw(); }
  status(zoomTo);
  // Milliseconds from the start of the page's navigation to its first draw.
  window.leakscope.drawn = performance.now();
})();

// Switchboard's dashboard: polls the admin API, computes rates from successive counters, draws
// Services, endpoints and the sources' state. Plain browser JavaScript, nothing loaded from elsewhere.
'use strict';

(function () {
  const POLL_MS = 1000;
  const RATE_WINDOW_MS = 5000;   // rates over the last few seconds of samples
  const SPARK_POINTS = 60;
  const ACTION_HEADER = 'X-Switchboard-Action';

  /** key -> [{t, v: {counter: value}}], oldest first, for rates */
  const samples = new Map();
  /** Service port key -> recent req/s (or connections/s) for sparklines */
  const sparks = new Map();
  let lastRoutes = null;
  let lastStatus = null;
  let polls = 0;

  const $ = (id) => document.getElementById(id);

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    if (attrs) {
      for (const [k, v] of Object.entries(attrs)) {
        if (v === undefined || v === null || v === false) continue;
        if (k === 'class') e.className = v;
        else if (k === 'text') e.textContent = v;
        else if (k.startsWith('on')) e.addEventListener(k.substring(2), v);
        else e.setAttribute(k, v === true ? '' : String(v));
      }
    }
    for (const c of children) {
      if (c === null || c === undefined || c === false) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  function svg(tag, attrs) {
    const e = document.createElementNS('http://www.w3.org/2000/svg', tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
    return e;
  }

  // ---- numbers ----

  function fmtRate(v) {
    if (v === null || v === undefined || !isFinite(v)) return '–';
    if (v >= 1e6) return (v / 1e6).toFixed(1) + 'M';
    if (v >= 1e3) return (v / 1e3).toFixed(1) + 'k';
    if (v >= 10) return v.toFixed(0);
    return v.toFixed(1);
  }

  function fmtBytes(v) {
    if (v === null || v === undefined || !isFinite(v)) return '–';
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let i = 0;
    while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
    return (v >= 10 || i === 0 ? v.toFixed(0) : v.toFixed(1)) + ' ' + units[i];
  }

  function fmtSeconds(s) {
    if (s === null || s === undefined || !isFinite(s)) return '–';
    if (s < 1e-3) return (s * 1e6).toFixed(0) + ' µs';
    if (s < 1) return (s * 1e3).toFixed(s < 0.01 ? 2 : 0) + ' ms';
    return s.toFixed(2) + ' s';
  }

  function fmtPercent(p) {
    if (p === null || p === undefined || !isFinite(p)) return '–';
    return (p * 100).toFixed(p < 0.1 ? 1 : 0) + '%';
  }

  function ago(iso) {
    if (!iso) return 'never';
    const s = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
    return s < 60 ? s.toFixed(0) + ' s ago' : (s / 60).toFixed(0) + ' min ago';
  }

  // ---- rates from successive counters ----

  /** Records counters under key and returns their rates per second over the window (null at first). */
  function rates(key, now, counters) {
    let list = samples.get(key);
    if (!list) { list = []; samples.set(key, list); }
    list.push({ t: now, v: counters });
    while (list.length > 2 && now - list[1].t >= RATE_WINDOW_MS) list.shift();
    const first = list[0];
    const out = {};
    const dt = (now - first.t) / 1000;
    for (const k of Object.keys(counters)) {
      if (dt <= 0) { out[k] = null; continue; }
      const d = counters[k] - first.v[k];
      // A counter that went down is a new endpoint object (removed and back): start over.
      out[k] = d < 0 ? null : d / dt;
    }
    return out;
  }

  /** Bucket deltas over the window, or the lifetime buckets when the window saw no request. */
  function windowQuantiles(key, now, buckets, bounds, lifetime) {
    let list = samples.get(key);
    if (!list) { list = []; samples.set(key, list); }
    list.push({ t: now, v: buckets.slice() });
    while (list.length > 2 && now - list[1].t >= RATE_WINDOW_MS) list.shift();
    const first = list[0].v;
    const delta = buckets.map((n, i) => n - (first[i] || 0));
    if (delta.some((n) => n < 0) || delta.reduce((a, b) => a + b, 0) === 0) {
      return { p50: lifetime.p50, p99: lifetime.p99, windowed: false };
    }
    return { p50: quantile(delta, bounds, 0.5), p99: quantile(delta, bounds, 0.99), windowed: true };
  }

  /** histogram_quantile over per-bucket (not cumulative) counts. */
  function quantile(buckets, bounds, q) {
    const total = buckets.reduce((a, b) => a + b, 0);
    if (total === 0) return null;
    const rank = q * total;
    let seen = 0;
    for (let i = 0; i < buckets.length; i++) {
      if (buckets[i] > 0 && seen + buckets[i] >= rank) {
        if (i >= bounds.length) return bounds[bounds.length - 1];
        const lower = i === 0 ? 0 : bounds[i - 1];
        return lower + (bounds[i] - lower) * ((rank - seen) / buckets[i]);
      }
      seen += buckets[i];
    }
    return bounds[bounds.length - 1];
  }

  // ---- the model the page draws ----

  function stateClass(state) {
    if (state === 'up') return 'up';
    if (state.startsWith('down')) return 'down';
    if (state === 'ejected') return 'ejected';
    if (state.startsWith('drained')) return 'drained';
    if (state.includes('terminating')) return 'terminating';
    if (state === 'removed') return 'removed';
    return 'other';
  }

  function stateLabel(state) {
    switch (state) {
      case 'down(connect)': return 'down (held: failed connects)';
      case 'down(check)': return 'down (health check)';
      case 'up(terminating)': return 'up, terminating';
      case 'drained(operator)': return 'drained (operator)';
      default: return state;
    }
  }

  /** Routes grouped by Service port: addresses together, endpoints merged by address. */
  function servicePorts(routes, now, bounds) {
    const byKey = new Map();
    for (const r of routes) {
      const key = r.service + '|' + r.port + '|' + r.protocol;
      let sp = byKey.get(key);
      if (!sp) {
        sp = { key, route: r, addresses: [], endpoints: new Map() };
        byKey.set(key, sp);
      }
      sp.addresses.push({ address: r.address, kind: r.kind });
      for (const e of r.endpoints) {
        if (!sp.endpoints.has(e.address)) sp.endpoints.set(e.address, e);
      }
    }
    const out = [];
    for (const sp of byKey.values()) {
      const r = sp.route;
      const rr = rates('svc|' + sp.key, now, {
        requests: r.requests || 0, errors: r.errors || 0, connections: r.connections || 0,
        bytesIn: r.bytesToEndpoints || 0, bytesOut: r.bytesFromEndpoints || 0,
        datagrams: (r.datagramsToEndpoints || 0) + (r.datagramsFromEndpoints || 0),
      });
      sp.rates = rr;
      // What the sparkline and the rate sort follow: requests (L7), datagrams (UDP) or connections (L4).
      sp.rate = r.http ? rr.requests : r.protocol === 'UDP' ? rr.datagrams : rr.connections;
      sp.errorRatio = r.http ? (rr.requests > 0 ? rr.errors / rr.requests : (r.requests > 0 ? r.errors / r.requests : null)) : null;
      sp.quantiles = r.http ? windowQuantiles('svcq|' + sp.key, now, r.latencyBuckets || [], bounds,
        { p50: r.p50, p99: r.p99 }) : null;
      let spark = sparks.get(sp.key);
      if (!spark) { spark = []; sparks.set(sp.key, spark); }
      if (sp.rate !== null) spark.push(sp.rate);
      while (spark.length > SPARK_POINTS) spark.shift();
      sp.spark = spark;
      sp.eps = [];
      for (const e of sp.endpoints.values()) {
        const ek = 'ep|' + sp.key + '|' + e.address;
        const er = rates(ek, now, {
          requests: e.requests || 0, errors: e.errors || 0, connections: e.connections || 0,
          bytesIn: e.bytesToEndpoint || 0, bytesOut: e.bytesFromEndpoint || 0,
        });
        const q = r.http ? windowQuantiles('epq|' + sp.key + '|' + e.address, now, e.latencyBuckets || [], bounds,
          { p50: e.p50, p99: e.p99 }) : null;
        sp.eps.push({ e, rates: er, q,
          errorRatio: er.requests > 0 ? er.errors / er.requests : (e.requests > 0 ? e.errors / e.requests : null) });
      }
      out.push(sp);
    }
    // Forget what is gone, so samples of removed Services do not pile up.
    const live = new Set();
    for (const sp of out) {
      live.add('svc|' + sp.key).add('svcq|' + sp.key);
      for (const e of sp.endpoints.keys()) live.add('ep|' + sp.key + '|' + e).add('epq|' + sp.key + '|' + e);
    }
    for (const k of samples.keys()) if (!live.has(k)) samples.delete(k);
    for (const k of sparks.keys()) if (!byKey.has(k)) sparks.delete(k);
    return out;
  }

  // ---- drawing ----

  function sparkline(values) {
    const w = 160, h = 28;
    const s = svg('svg', { class: 'spark', viewBox: `0 0 ${w} ${h}`, preserveAspectRatio: 'none', role: 'img' });
    s.append(svg('line', { class: 'base', x1: 0, y1: h - 1, x2: w, y2: h - 1 }));
    if (values.length > 1) {
      const max = Math.max(1, ...values);
      const pts = values.map((v, i) => {
        // The newest point at the right edge, one step a second.
        const x = w - (values.length - 1 - i) * (w / (SPARK_POINTS - 1));
        const y = h - 1 - (v / max) * (h - 3);
        return x.toFixed(1) + ',' + y.toFixed(1);
      });
      s.append(svg('polyline', { points: pts.join(' ') }));
    }
    const title = svg('title', {});
    title.textContent = 'last ' + values.length + ' s, peak ' + fmtRate(Math.max(0, ...values)) + '/s';
    s.append(title);
    return s;
  }

  async function act(path, params, button) {
    const url = '/api/v1/actions/' + path + '?' + new URLSearchParams(params).toString();
    button.disabled = true;
    try {
      const resp = await fetch(url, { method: 'POST', headers: { [ACTION_HEADER]: 'dashboard' } });
      const text = await resp.text();
      $('message').textContent = path + ' ' + (resp.ok ? 'done: ' : 'failed (' + resp.status + '): ') + text.trim();
    } catch (err) {
      $('message').textContent = path + ' failed: ' + err;
    } finally {
      button.disabled = false;
      poll();
    }
  }

  function drawService(sp, actions) {
    const r = sp.route;
    const l7 = r.http;
    const udp = r.protocol === 'UDP';
    const flags = r.flags && r.flags.length ? ' (' + r.flags.join(',') + ')' : '';
    const affinity = r.clientIpAffinity ? 'ClientIP ' + r.affinityTimeoutSeconds + ' s' : 'none';
    const head = el('div', { class: 'service-head' },
      el('span', { class: 'name', text: r.service }),
      el('span', { class: 'port', text: 'port ' + r.port + (r.appProtocol ? ' (' + r.appProtocol + ')' : '') }),
      el('span', { class: 'tag', text: r.protocol }),
      el('span', { class: 'tag' + (l7 ? ' l7' : ''), text: l7 ? 'L7' : 'L4' }),
      el('span', { class: 'tag', title: 'scheduler', text: r.scheduler + flags }),
      el('span', { class: 'tag', title: 'session affinity', text: 'affinity: ' + affinity }),
      sparkline(sp.spark),
      actions && udp ? el('button', { class: 'action flush', type: 'button', text: 'flush flows',
        onclick: (ev) => act('flush', { service: r.service }, ev.target) }) : null);
    const addresses = el('div', { class: 'addresses',
      text: sp.addresses.map((a) => a.address + ' ' + a.kind).join(' · ') });
    const rr = sp.rates;
    const flows = sp.eps.reduce((n, x) => n + (x.e.flows || 0), 0);
    const totals = el('div', { class: 'totals' },
      l7 ? el('span', null, 'req/s ', el('b', { class: 'rate', text: fmtRate(rr.requests) }))
        : udp ? el('span', null, 'datagrams/s ', el('b', { class: 'rate', text: fmtRate(rr.datagrams) }))
          : el('span', null, 'conn/s ', el('b', { class: 'rate', text: fmtRate(rr.connections) })),
      l7 ? el('span', null, 'requests ', el('b', { class: 'total', text: String(r.requests) }))
        : udp ? el('span', null, 'datagrams ', el('b', { class: 'total',
          text: String(r.datagramsToEndpoints + r.datagramsFromEndpoints) }))
          : el('span', null, 'connections ', el('b', { class: 'total', text: String(r.connections) })),
      udp ? el('span', null, 'flows ', el('b', { class: 'flows', text: String(flows) })) : null,
      // Bytes are counted by the L4 relays; HTTP ports count requests instead.
      l7 ? null : el('span', null, 'in ', el('b', { text: fmtBytes(rr.bytesIn) + '/s' })),
      l7 ? null : el('span', null, 'out ', el('b', { text: fmtBytes(rr.bytesOut) + '/s' })),
      l7 ? el('span', null, 'errors ', el('b', { class: 'errors', text: fmtPercent(sp.errorRatio) })) : null,
      l7 ? el('span', null, 'p50 ', el('b', { text: fmtSeconds(sp.quantiles.p50) })) : null,
      l7 ? el('span', null, 'p99 ', el('b', { text: fmtSeconds(sp.quantiles.p99) })) : null,
      l7 ? el('span', null, 'in flight ', el('b', { text: String(r.requestsInFlight) })) : null,
      udp ? el('span', null, 'dropped ', el('b', { text: String(r.datagramsDropped) })) : null,
      el('span', null, 'retries ', el('b', { text: String(r.retries) })),
      el('span', null, 'rejected ', el('b', { text: String(r.rejected) })));

    const cols = ['endpoint', 'pod', 'state', 'weight'];
    if (l7) cols.push('in flight', 'req/s', 'requests', 'errors', 'p50', 'p99');
    else if (udp) cols.push('flows', 'flows opened');
    else cols.push('active', 'inactive', 'conn/s', 'connections');
    if (!l7) cols.push('in/s', 'out/s');
    cols.push('connect failures');
    if (actions) cols.push('');
    const thead = el('thead', null, el('tr', null, ...cols.map((c) => el('th', {
      class: (c === 'pod' ? 'pod' : c === 'state' ? 'state' : '')
        + (['pod', 'inactive', 'connect failures'].includes(c) ? ' opt' : ''),
      text: c }))));
    const tbody = el('tbody');
    for (const { e, rates: er, q, errorRatio } of sp.eps) {
      const cls = stateClass(e.state);
      const cells = [
        el('td', { class: 'address', text: e.address }),
        el('td', { class: 'pod opt', text: e.pod || '' }),
        el('td', { class: 'state' }, el('span', { class: cls, text: stateLabel(e.state) })),
        el('td', { class: 'weight', text: e.drained ? '0 (of ' + e.configuredWeight + ')' : String(e.weight) }),
      ];
      if (l7) {
        cells.push(el('td', { class: 'inflight', text: String(e.requestsInFlight) }),
          el('td', { class: 'rate', text: fmtRate(er.requests) }),
          el('td', { class: 'total', text: String(e.requests) }),
          el('td', { class: 'err' + (errorRatio > 0.05 ? ' high' : ''), text: fmtPercent(errorRatio) }),
          el('td', { text: fmtSeconds(q.p50) }),
          el('td', { text: fmtSeconds(q.p99) }));
      } else if (udp) {
        cells.push(el('td', { class: 'active', text: String(e.flows) }),
          el('td', { class: 'total', text: String(e.connections) }));
      } else {
        cells.push(el('td', { class: 'active', text: String(e.active) }),
          el('td', { class: 'opt', text: String(e.inactive) }),
          el('td', { class: 'rate', text: fmtRate(er.connections) }),
          el('td', { class: 'total', text: String(e.connections) }));
      }
      if (!l7) {
        cells.push(el('td', { text: fmtBytes(er.bytesIn) + '/s' }), el('td', { text: fmtBytes(er.bytesOut) + '/s' }));
      }
      cells.push(el('td', { class: 'opt', text: String(e.connectFailures) }));
      if (actions) {
        const td = el('td');
        if (e.state !== 'removed') {
          td.append(e.drained
            ? el('button', { class: 'action undrain', type: 'button', text: 'restore',
              onclick: (ev) => act('drain', { service: r.service, endpoint: e.address, undo: 'true' }, ev.target) })
            : el('button', { class: 'action drain', type: 'button', text: 'drain',
              onclick: (ev) => act('drain', { service: r.service, endpoint: e.address }, ev.target) }));
        }
        if (udp && e.flows > 0) {
          const ip = e.address.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
          td.append(' ', el('button', { class: 'action flush', type: 'button', text: 'flush',
            onclick: (ev) => act('flush', { service: r.service, endpoint: ip }, ev.target) }));
        }
        cells.push(td);
      }
      tbody.append(el('tr', { class: 'endpoint ep-' + cls, 'data-endpoint': e.address, 'data-state': e.state },
        ...cells));
    }
    if (sp.eps.length === 0) {
      tbody.append(el('tr', null, el('td', { colspan: cols.length, class: 'muted', text: 'no endpoints' })));
    }
    return el('article', { class: 'service', 'data-service': r.service, 'data-port': r.port,
      'data-protocol': r.protocol }, head, addresses, totals,
    el('div', { class: 'scroll' }, el('table', { class: 'endpoints' }, thead, tbody)));
  }

  function drawServices() {
    if (!lastRoutes) return;
    const actions = !!(lastStatus && lastStatus.actions);
    const filter = $('filter').value.trim().toLowerCase();
    const sort = $('sort').value;
    let list = lastRoutes.ports.filter((sp) => !filter || sp.route.service.toLowerCase().includes(filter)
      || sp.addresses.some((a) => a.address.includes(filter)));
    list.sort((a, b) => {
      if (sort === 'rate') return (b.rate || 0) - (a.rate || 0) || a.key.localeCompare(b.key);
      if (sort === 'errors') {
        const ea = a.route.http ? (a.errorRatio || 0) : 0;
        const eb = b.route.http ? (b.errorRatio || 0) : 0;
        return eb - ea || a.key.localeCompare(b.key);
      }
      return a.key.localeCompare(b.key);
    });
    const box = $('services');
    box.replaceChildren(...list.map((sp) => drawService(sp, actions)));
    $('service-count').textContent = list.length + ' of ' + lastRoutes.ports.length + ' Service ports';
  }

  function drawStatus(st, routes) {
    $('instance').textContent = 'v' + st.version + ' · pid ' + st.pid + (st.actions ? ' · actions on' : '');
    const ready = $('ready');
    ready.textContent = st.ready ? (st.readyDetail ? 'ready (degraded)' : 'ready') : 'not ready';
    ready.className = 'badge ' + (st.ready ? (st.readyDetail ? 'warn' : 'ok') : 'bad');
    ready.title = st.readyDetail || '';
    const srcRows = st.sources.map((s) => el('tr', { class: 'source', 'data-kind': s.kind },
      el('td', { text: s.kind }),
      el('td', null, el('span', { class: 'badge ' + (s.ready ? (s.degraded ? 'warn' : 'ok') : 'bad'),
        text: s.ready ? (s.degraded ? 'degraded' : 'ready') : 'not ready' })),
      el('td', { class: 'detail', text: s.detail || '' })));
    $('sources').replaceChildren(el('table', { id: 'source-table' },
      el('thead', null, el('tr', null, el('th', { text: 'kind' }), el('th', { text: 'state' }),
        el('th', { text: 'detail' }))), el('tbody', null, ...srcRows)));
    const facts = [
      ['last sync', ago(st.lastSync)],
      ['sync took', st.lastSyncMillis.toFixed(1) + ' ms'],
      ['syncs', String(st.syncs)],
      ['pending changes', String(st.pendingChanges)],
      ['table version', routes ? String(routes.version) : '–'],
      ['unrouted connections', routes ? String(routes.unrouted) : '–'],
    ];
    $('sync').replaceChildren(...facts.flatMap(([k, v]) => [el('dt', { text: k }),
      el('dd', { class: 'fact', 'data-fact': k, text: v })]));
    list('errors', st.errors.map((e) => el('li', { class: 'config-error', title: e.text },
      e.origin ? el('code', { text: e.origin }) : null, e.origin ? ': ' : '',
      e.object ? e.object + ': ' : '', e.field ? e.field + ': ' : '', e.message)));
    list('conflicts', st.conflicts.map((c) => el('li', { class: 'conflict' },
      el('code', { text: c.address }), ' held by ' + c.holder + '; refused ' + c.refused
      + (c.field ? ' (' + c.field + ')' : '') + ' from ' + c.origin + ' — ' + c.rule)));
    list('notes', st.notes.map((n) => el('li', { text: n })));
    $('fleet-box').hidden = st.fleet.length === 0;
    if (st.fleet.length) {
      $('fleet').replaceChildren(el('thead', null, el('tr', null,
        ...['node', 'admin', 'version', 'pid', 'revision', 'last sync', 'state'].map((c) => el('th', { text: c })))),
      el('tbody', null, ...st.fleet.map((m) => el('tr', { class: 'member', 'data-member': m.id },
        el('td', { text: m.node }), el('td', { text: m.admin }), el('td', { text: m.version }),
        el('td', { text: String(m.pid) }), el('td', { text: String(m.revision) }),
        el('td', { text: ago(m.lastSync) }),
        el('td', { class: 'member-state', text: m.behind === 0 ? 'caught up' : 'behind by ' + m.behind })))));
    }
  }

  function list(id, items) {
    $(id + '-box').hidden = items.length === 0;
    $(id).replaceChildren(...items);
  }

  let timer = null;
  let inFlight = false;

  async function poll() {
    if (inFlight) return;
    inFlight = true;
    clearTimeout(timer);
    try {
      const [routesResp, statusResp] = await Promise.all([
        fetch('/api/v1/routes', { cache: 'no-store' }), fetch('/api/v1/status', { cache: 'no-store' })]);
      if (!routesResp.ok || !statusResp.ok) throw new Error('HTTP ' + routesResp.status + '/' + statusResp.status);
      const routes = await routesResp.json();
      const status = await statusResp.json();
      const now = Date.now();
      lastStatus = status;
      lastRoutes = { at: now, version: routes.version, unrouted: routes.unrouted,
        ports: servicePorts(routes.routes, now, routes.latencyBounds || []) };
      drawStatus(status, routes);
      drawServices();
      polls++;
      $('poll').textContent = 'updated ' + new Date(now).toLocaleTimeString();
      $('poll').dataset.polls = String(polls);
    } catch (err) {
      console.error(err);
      $('poll').textContent = (err instanceof TypeError && /fetch/i.test(err.message)
        ? 'cannot reach the admin API: ' : 'update failed: ') + err.message;
      $('ready').textContent = 'unreachable';
      $('ready').className = 'badge bad';
    } finally {
      inFlight = false;
      timer = setTimeout(poll, POLL_MS);
    }
  }

  document.addEventListener('DOMContentLoaded', () => {
    const params = new URLSearchParams(location.search);
    if (params.get('filter')) $('filter').value = params.get('filter');
    if (params.get('sort')) $('sort').value = params.get('sort');
    $('filter').addEventListener('input', drawServices);
    $('sort').addEventListener('change', drawServices);
    poll();
  });
})();

/*
 * The compare page of `duplex serve` (compare.html): shows the last `duplex compare` report
 * (/compare.json) and runs a short comparison live with this browser's own transports against
 * the compare workload at /compare (docs/PROTOCOL.md §12). No dependencies but duplex.js.
 */
(() => {
  'use strict';

  const $ = (id) => document.getElementById(id);

  // --- the live run's workload ----------------------------------------------------------------
  const TRANSPORTS = ['websocket', 'sse', 'long-polling', 'polling'];
  const CLIENTS = 2;
  const TICKER = { rate: 20, count: 40, size: 64 };   // 20/s for 2 s
  const CHAT = { rate: 5, count: 10, size: 64 };      // each client 5/s for 2 s
  const PINGS = 5;
  const POLL_INTERVAL_MS = 250;                       // short polling: duplex.js's pollIntervalMs
  const GRACE_MS = 8000;                              // how long past the workload the page waits for stragglers

  $('ticker-facts').textContent = `${TICKER.rate}/s for ${TICKER.count / TICKER.rate} s (${TICKER.size}-byte padding)`;
  $('chat-facts').textContent = `${CHAT.rate}/s for ${CHAT.count / CHAT.rate} s`;

  /** This page's clock, in microseconds (§12: every time is µs of the sender's monotonic clock). */
  const nowUs = () => performance.now() * 1000;

  // --- small helpers ----------------------------------------------------------------------------

  function element(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (name === 'className') node.className = value;
      else if (name === 'dataset') Object.assign(node.dataset, value);
      else node.setAttribute(name, value);
    }
    for (const child of children) node.append(child instanceof Node ? child : String(child));
    return node;
  }

  const HEADING_TITLES = { dup: 'duplicated', reord: 'reordered', '↓': 'server → client', '↑': 'client → server' };

  function table(headings, rows) {
    const titled = (h) => Object.entries(HEADING_TITLES).filter(([short]) => h.split(/[ /]/).includes(short)).map(([, long]) => long).join(', ');
    const head = element('tr', {}, ...headings.map((h) => element('th', { scope: 'col', title: titled(h) || h }, h)));
    return element('div', { className: 'table-wrap' }, element('table', {}, element('thead', {}, head), element('tbody', {}, ...rows)));
  }

  const ms = (value) => (value == null || !Number.isFinite(value) ? '—' : value < 10 ? value.toFixed(2) : value.toFixed(1));
  const fixed = (value, digits = 1) => (value == null || !Number.isFinite(value) ? '—' : value.toFixed(digits));

  /** A cell; numbers that must be zero (lost, duplicated, reordered) are red when they are not. */
  function cell(text, { num = true, bad = false, title } = {}) {
    const attributes = { className: [num ? 'num' : '', bad ? 'bad' : ''].join(' ').trim() };
    if (title) attributes.title = title;
    return element('td', attributes, text);
  }

  function integrityCells(lost, duplicated, reordered) {
    return [cell(lost, { bad: lost !== 0 }), cell(duplicated, { bad: duplicated !== 0 }), cell(reordered, { bad: reordered !== 0 })];
  }

  /** Nearest-rank percentile of sorted numbers. */
  function percentile(sorted, p) {
    if (sorted.length === 0) return NaN;
    return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
  }

  function summary(values) {
    const sorted = [...values].sort((a, b) => a - b);
    return { count: sorted.length, p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] };
  }

  // --- the last report ----------------------------------------------------------------------------

  async function showLastReport() {
    const status = $('last-status');
    let answer;
    try {
      answer = await fetch('/compare.json', { cache: 'no-store' });
    } catch (error) {
      status.dataset.state = 'failed';
      status.textContent = `Could not load /compare.json: ${error.message}`;
      return;
    }
    if (answer.status === 404) {
      status.dataset.state = 'none';
      status.replaceChildren('No report yet. Make one with ', element('code', {}, 'duplex compare'),
        ' (it measures every approach on loopback, survival included, and keeps the report where this page finds it), then reload.');
      return;
    }
    if (!answer.ok) {
      status.dataset.state = 'failed';
      status.textContent = `/compare.json answered ${answer.status}.`;
      return;
    }
    const report = await answer.json();
    status.dataset.state = 'shown';
    const settings = report.settings || {};
    const machine = report.machine || {};
    status.replaceChildren(
      `Measured ${report.startedAt ? new Date(report.startedAt).toLocaleString() : ''} on ${machine.os || 'this machine'}`
        + (machine.cores ? ` (${machine.cores} cores)` : '')
        + (settings.clients ? `, ${settings.clients} clients, ${settings.durationSeconds} s each workload` : '') + '. ',
      element('a', { href: '/compare-report.html' }, 'The full report, with charts'),
      settings.commandLine ? ' · ' : '', settings.commandLine ? element('code', {}, settings.commandLine) : '');
    $('last-table').replaceChildren(reportTable(report));
  }

  function reportTable(report) {
    const survival = report.survival || [];
    const rows = (report.approaches || []).map((a) => {
      if (!a.ran) {
        return element('tr', { dataset: { approach: a.id } }, element('td', {}, a.name || a.id),
          element('td', { colspan: 14, className: 'warn' }, `did not run: ${a.error || 'unknown'}`));
      }
      const down = a.downLatency || {}, up = a.upLatency || {}, wire = a.down || {}, wireUp = a.up || {};
      const integrity = a.integrity || { lost: 0, duplicated: 0, reordered: 0 };
      const duplex = a.fullDuplex || {};
      const bytes = (wire.bytesDownPerMessage || 0) + (wire.bytesUpPerMessage || 0);
      const faults = survival.filter((s) => s.approach === a.id);
      const failed = faults.filter((s) => !s.works);
      return element('tr', { dataset: { approach: a.id } },
        element('td', {}, a.name || a.id),
        cell(ms(down.p50)), cell(ms(down.p99)), cell(ms(up.p50)), cell(ms(up.p99)),
        cell(duplex.observed ? 'yes' : 'no', { num: false, title: duplex.evidence || '' }),
        cell(fixed(bytes, 0)), cell(fixed(wireUp.bytesUpPerMessage, 0)),
        cell(fixed(wire.requestsPerMessage, 2)), cell(fixed(wireUp.requestsPerMessage, 2)),
        ...integrityCells(integrity.lost, integrity.duplicated, integrity.reordered),
        faults.length === 0
          ? cell('—', { num: false })
          : cell(`${faults.length - failed.length}/${faults.length}`, { bad: failed.length > 0, title: failed.map((s) => `${s.fault}: ${s.detail}`).join('\n') || 'survived every fault' }));
    });
    return table(['approach', 'down p50 ms', 'down p99', 'up p50', 'up p99', 'full-duplex', 'bytes/msg ↓', 'bytes/msg ↑',
      'req/msg ↓', 'req/msg ↑', 'lost', 'dup', 'reord', 'survived'], rows);
  }

  // --- the live run ---------------------------------------------------------------------------------

  /**
   * One client of the live run: a duplex.js session on /compare pinned to a transport, and what it
   * received. Replies wait in `waiters` (kind → resolve) for the steps that await them.
   */
  class LiveClient {
    constructor(transport, index) {
      this.index = index;
      this.client = new Duplex.RealtimeClient('/compare', { transport, pollIntervalMs: POLL_INTERVAL_MS });
      this.offsetUs = 0;            // server clock − this page's clock
      this.waiters = new Map();
      this.ticks = [];              // [n, arrivalUs, serverSendUs]
      this.chats = [];              // [from, n, arrivalUs, serverSendUs, clientSendUs, serverArrivalUs]
      this.tickerDone = false;
      this.errors = [];
      this.client.addEventListener('message', (e) => this.onMessage(e.data));
    }

    onMessage(data) {
      const arrival = nowUs();
      if (typeof data !== 'string') return;
      const m = JSON.parse(data);
      if (m.k === 'tick') this.ticks.push([m.n, arrival, m.s]);
      else if (m.k === 'chat') this.chats.push([m.from, m.n, arrival, m.s, m.c, m.a]);
      else if (m.k === 'done' && m.of === 'ticker') this.tickerDone = true;
      else if (m.k === 'error') this.errors.push(m.reason);
      const waiter = this.waiters.get(m.k);
      if (waiter) {
        this.waiters.delete(m.k);
        waiter({ message: m, arrival });
      }
    }

    /** Sends a workload message; with `reply`, resolves with the next message of that kind. */
    request(message, reply) {
      const answer = reply ? new Promise((resolve) => this.waiters.set(reply, resolve)) : null;
      this.client.send(JSON.stringify(message));
      return answer;
    }

    /** §12: offset = s − (c + recv) / 2 of the sample with the smallest round trip. */
    async measureOffset() {
      let best = null;
      for (let i = 0; i < PINGS; i++) {
        const c = nowUs();
        const { message, arrival } = await this.request({ k: 'ping', c }, 'pong');
        const rtt = arrival - c;
        if (best === null || rtt < best.rtt) best = { rtt, offset: message.s - (c + arrival) / 2 };
      }
      this.offsetUs = best.offset;
      this.rttUs = best.rtt;
    }
  }

  /** Counts the deliveries of one stream numbered 0..expected−1: lost, duplicated, reordered. */
  function integrity(numbers, expected) {
    const seen = new Set();
    let duplicated = 0, reordered = 0, highest = -1;
    for (const n of numbers) {
      if (seen.has(n)) duplicated++;
      else if (n < highest) reordered++;
      seen.add(n);
      highest = Math.max(highest, n);
    }
    let lost = 0;
    for (let n = 0; n < expected; n++) if (!seen.has(n)) lost++;
    return { lost, duplicated, reordered };
  }

  const delay = (milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds));

  function withTimeout(promise, milliseconds, what) {
    let timer;
    return Promise.race([promise, new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} timed out`)), milliseconds); })])
      .finally(() => clearTimeout(timer));
  }

  // Resource Timing entries as they come (an observer is not bound by the entry buffer's 250).
  const resources = [];
  const canSeeRequests = typeof PerformanceObserver !== 'undefined'
    && (PerformanceObserver.supportedEntryTypes || []).includes('resource');
  if (canSeeRequests) {
    new PerformanceObserver((list) => resources.push(...list.getEntries())).observe({ type: 'resource', buffered: true });
  }

  /** What Resource Timing shows of the requests to /compare between two times (performance.now ms); null where the browser has none. */
  function requestsSeen(fromMs, toMs) {
    if (!canSeeRequests) return null;
    const entries = resources
      .filter((e) => e.startTime >= fromMs && e.startTime <= toMs && new URL(e.name).pathname.startsWith('/compare/') && !e.name.includes('duplex.js'));
    return { requests: entries.length, bytes: entries.reduce((sum, e) => sum + (e.transferSize || 0), 0) };
  }

  function setProgress(text, state = 'running') {
    const progress = $('progress');
    progress.textContent = text;
    progress.dataset.state = state;
  }

  /** Runs the workload over one transport; returns its row's numbers. */
  async function runTransport(transport, step) {
    const run = `browser-${transport}-${Math.random().toString(36).slice(2, 10)}`;
    const clients = Array.from({ length: CLIENTS }, (_, i) => new LiveClient(transport, i));
    const startedMs = performance.now();
    try {
      setProgress(`${step} ${transport}: connecting ${CLIENTS} clients…`);
      await withTimeout(Promise.all(clients.map((c) => c.client.connect())), 15000, 'connecting');
      for (const c of clients) {
        const transportNow = c.client.transport;
        if (transportNow !== transport) throw new Error(`client ${c.index} is on ${transportNow}, not ${transport}`);
      }
      await withTimeout(Promise.all(clients.map((c) => c.request({ k: 'hello', run, client: c.index }, 'hello'))), 15000, 'hello');
      setProgress(`${step} ${transport}: clock offset (ping/pong ×${PINGS})…`);
      await withTimeout(Promise.all(clients.map((c) => c.measureOffset())), 15000, 'ping/pong');

      setProgress(`${step} ${transport}: ticker and chat…`);
      const workloadMs = performance.now();
      for (const c of clients) c.request({ k: 'ticker', rate: TICKER.rate, count: TICKER.count, size: TICKER.size });
      const padding = 'x'.repeat(CHAT.size);
      const chatting = clients.map(async (c) => {
        for (let n = 0; n < CHAT.count; n++) {
          // Intended times from the start, as the server's ticker: no drift.
          const wait = workloadMs + (n * 1000) / CHAT.rate - performance.now();
          if (wait > 0) await delay(wait);
          c.request({ k: 'chat', n, c: nowUs(), p: padding });
        }
      });
      await Promise.all(chatting);

      const expectedChats = CLIENTS * CHAT.count;
      const complete = () => clients.every((c) => c.tickerDone && c.chats.length >= expectedChats);
      const deadline = performance.now() + GRACE_MS;
      while (!complete() && performance.now() < deadline) {
        setProgress(`${step} ${transport}: ticker and chat, ${((performance.now() - workloadMs) / 1000).toFixed(1)} s…`);
        await delay(100);
      }
      return measure(transport, clients, startedMs);
    } finally {
      await Promise.all(clients.map((c) => c.client.close().catch(() => {})));
    }
  }

  /** The row of one transport: latency both ways, integrity of every stream, what the page saw of requests. */
  function measure(transport, clients, startedMs) {
    const down = [], up = [];
    const totals = { lost: 0, duplicated: 0, reordered: 0 };
    const add = (counts) => { for (const key of Object.keys(totals)) totals[key] += counts[key]; };
    let delivered = 0;
    for (const c of clients) {
      for (const [, arrival, sent] of c.ticks) down.push((arrival - (sent - c.offsetUs)) / 1000);
      add(integrity(c.ticks.map((t) => t[0]), TICKER.count));
      for (const sender of clients) {
        const fromSender = c.chats.filter((m) => m[0] === sender.index);
        add(integrity(fromSender.map((m) => m[1]), CHAT.count));
        for (const [, , arrival, sent, clientSent, serverArrival] of fromSender) {
          down.push((arrival - (sent - c.offsetUs)) / 1000);
          // Up: the sender's send time to the server's arrival, on the sender's clock (its own copy).
          if (sender === c) up.push(((serverArrival - c.offsetUs) - clientSent) / 1000);
        }
      }
      delivered += c.ticks.length + c.chats.length;
    }
    const seen = requestsSeen(startedMs, performance.now()) || { requests: NaN, bytes: NaN };
    return {
      transport,
      down: summary(down),
      up: summary(up),
      ...totals,
      delivered,
      expected: clients.length * (TICKER.count + clients.length * CHAT.count),
      requests: seen.requests,
      requestsPerMessage: delivered ? seen.requests / delivered : NaN,
      bytesPerMessage: delivered && seen.bytes ? seen.bytes / delivered : NaN,
      rttMs: Math.min(...clients.map((c) => c.rttUs)) / 1000,
      errors: clients.flatMap((c) => c.errors),
    };
  }

  function liveRow(r) {
    if (r.error) {
      return element('tr', { dataset: { transport: r.transport, error: r.error } }, element('td', {}, r.transport),
        element('td', { colspan: 15, className: 'bad' }, `failed: ${r.error}`));
    }
    return element('tr', { dataset: { transport: r.transport, lost: r.lost, duplicated: r.duplicated, reordered: r.reordered, delivered: r.delivered, expected: r.expected } },
      element('td', {}, r.transport === 'polling' ? `polling (every ${POLL_INTERVAL_MS} ms)` : r.transport),
      cell(ms(r.down.p50)), cell(ms(r.down.p90)), cell(ms(r.down.p99)), cell(ms(r.down.max)),
      cell(ms(r.up.p50)), cell(ms(r.up.p90)), cell(ms(r.up.p99)), cell(ms(r.up.max)),
      cell(`${r.delivered}/${r.expected}`, { bad: r.delivered !== r.expected }),
      ...integrityCells(r.lost, r.duplicated, r.reordered),
      cell(Number.isNaN(r.requests) ? 'n/a' : r.requests, { title: 'Resource Timing entries to /compare during the run' }),
      cell(fixed(r.requestsPerMessage, 2)),
      cell(fixed(r.bytesPerMessage, 0), { title: 'transferSize of those entries ÷ messages delivered; WebSocket frames and open streams are not visible' }),
      cell(ms(r.rttMs)));
  }

  function showLive(results) {
    $('live-table').replaceChildren(table(
      ['transport', 'down p50 ms', 'p90', 'p99', 'max', 'up p50', 'p90', 'p99', 'max', 'delivered', 'lost', 'dup', 'reord',
        'requests seen', 'req/msg', 'bytes recv/msg', 'min RTT'],
      results.map(liveRow)));
  }

  async function runLive() {
    const button = $('run');
    button.disabled = true;
    const results = [];
    showLive(results);
    try {
      if (typeof Duplex === 'undefined') throw new Error('duplex.js did not load from /compare/duplex.js');
      for (const [i, transport] of TRANSPORTS.entries()) {
        const step = `[${i + 1}/${TRANSPORTS.length}]`;
        try {
          results.push(await runTransport(transport, step));
        } catch (error) {
          results.push({ transport, error: error.message });
        }
        showLive(results);
      }
      const failed = results.filter((r) => r.error || r.lost || r.duplicated || r.reordered);
      setProgress(failed.length === 0
        ? `done: ${results.length} transports, every message delivered once and in order (latencies in ms)`
        : `done: ${failed.length} of ${results.length} transports lost, duplicated or reordered messages, or failed`, failed.length === 0 ? 'done' : 'failed');
    } catch (error) {
      setProgress(`failed: ${error.message}`, 'failed');
    } finally {
      button.disabled = false;
    }
  }

  $('run').addEventListener('click', runLive);
  showLastReport();
  if (new URLSearchParams(location.search).has('run')) runLive();
})();

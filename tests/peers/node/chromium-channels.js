#!/usr/bin/env node
'use strict';
// Checks duplex.js's channels (docs/PROTOCOL.md §10) in headless Chromium against a Duplex server
// whose test drives the other side (publishing from server code, making the server forget the
// session). PAGE_URL is a page of the server's origin that loads /realtime/duplex.js.
//
// usage: node chromium-channels.js PAGE_URL --scenario resume|republish [--transport T] [--timeout SECONDS] [--chromium PATH]
//
// resume: subscribes to feed and short/a; prints READY and waits for GO (the test publishes feed
//   p1..p3 and short/a p1); once they are in, the page's network goes away, it publishes "from the
//   page" on feed and sends the message "sent while away", prints AWAY and waits for GO (the test
//   makes the server forget the session, resets its connections and publishes feed p4, p5 and
//   short/a p2..p6, history 2); then the network comes back. The session must be reported lost with
//   only "sent while away" unacknowledged (channel envelopes are the client's own); feed must be
//   subscribed again from its cursor (resumed) and deliver p4, p5, then "from the page" (published
//   once, its promise resolved with its number); short/a must announce the gap [2, 4], then p5, p6.
//   Then presence lists the page itself, as the subscription's members say.
// republish: subscribes to orders and publishes "once" there: the test's authorization hook makes
//   the server forget the session while it publishes, so the answer never comes; the client must
//   publish again from its new session with the same key and get the same number, and "once" must
//   be delivered once; then "twice" gets the next number, and binary bytes the one after (base64
//   on the wire, an ArrayBuffer again when delivered). Then a subscription to secret, which the
//   hook forbids, must end in a refused event and its ready promise rejected. First, the API
//   refuses an invalid channel name, presence info over 1 KiB, a negative history and a
//   publication that is not text or binary.
// Prints one JSON line, {"ok":true,...} or {"ok":false,"error":"..."}, and exits 0 or 1.

const readline = require('readline');
const { parseArgs, intOption, printResult, chromiumPath, exitUnlessChromiumAt, withChromiumPage, runBrowserPeer } = require('./peer-common');

const { positional, options } = parseArgs(process.argv.slice(2));
const pageUrl = positional[0];
const timeoutMs = intOption(options, 'timeout', 60) * 1000;
const executablePath = chromiumPath(options);
const settings = { scenario: options.scenario, transport: options.transport || 'websocket', stepTimeoutMs: timeoutMs };
if (!pageUrl || !['resume', 'republish'].includes(settings.scenario)) {
  printResult({ ok: false, error: 'usage: chromium-channels.js PAGE_URL --scenario resume|republish [--transport T]' });
  process.exit(2);
}
exitUnlessChromiumAt(executablePath);

const lines = [];
const lineWaiters = [];
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  const waiter = lineWaiters.shift();
  if (waiter) waiter(line);
  else lines.push(line);
});
function nextLine() {
  return lines.length > 0 ? Promise.resolve(lines.shift()) : new Promise((resolve) => lineWaiters.push(resolve));
}

// Runs inside the page: duplex.js and the browser's own APIs.
async function pageScript(s) {
  const result = { ok: false, step: 'connect', events: [] };
  let wake = null;
  function waitFor(what, condition) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { wake = null; reject(new Error(`timed out waiting for ${what}`)); }, s.stepTimeoutMs);
      const check = () => {
        if (!condition()) return;
        clearTimeout(timer);
        wake = null;
        resolve();
      };
      wake = check;
      check();
    });
  }
  const poke = () => { if (wake) wake(); };

  const client = new Duplex.RealtimeClient('/realtime', { transport: s.transport, reconnectDelayMs: 100, maxReconnectDelayMs: 1000 });
  let lost = null;
  client.addEventListener('statechange', (e) => {
    result.events.push(e.detail.state);
    if (e.detail.state === 'session-lost') lost = e.detail;
    poke();
  });
  const messages = [];
  client.addEventListener('message', (e) => { messages.push(e.data); poke(); });

  /** Follows a subscription: every event it raises, in order. */
  function follow(subscription) {
    const log = { subscribed: [], publications: [], gaps: [], other: [] };
    subscription.addEventListener('subscribed', (e) => { log.subscribed.push({ result: e.detail.result, latest: e.detail.latest, missing: e.detail.missing }); poke(); });
    subscription.addEventListener('publication', (e) => { log.publications.push({ seq: e.detail.seq, data: e.detail.data }); poke(); });
    subscription.addEventListener('gap', (e) => { log.gaps.push(e.detail.missing); poke(); });
    for (const type of ['unsubscribed', 'refused']) subscription.addEventListener(type, (e) => { log.other.push(type); poke(); });
    return log;
  }
  const show = (data) => typeof data === 'string' ? data : `<${data instanceof ArrayBuffer ? [...new Uint8Array(data)].join(' ') : typeof data}>`;
  const datas = (log) => log.publications.map((p) => `${p.seq}:${show(p.data)}`);
  const copy = (value) => JSON.parse(JSON.stringify(value));

  try {
    if (s.scenario === 'resume') {
      const feed = client.subscribe('feed');
      const short = client.subscribe('short/a');
      const feedLog = follow(feed);
      const shortLog = follow(short);
      if (client.subscribe('feed') !== feed) throw new Error('subscribing again did not give the same subscription');
      await client.connect();
      result.step = 'subscribed';
      await Promise.all([feed.ready, short.ready]);
      await window.duplexStep('READY');
      result.step = 'the first publications';
      await waitFor('feed p1..p3 and short/a p1', () => feedLog.publications.length >= 3 && shortLog.publications.length >= 1);
      result.cursorBefore = feed.cursor;
      await window.duplexOffline(true);
      result.step = 'away';
      const published = client.publish('feed', 'from the page');
      client.send('sent while away');
      await window.duplexStep('AWAY');
      await window.duplexOffline(false);
      result.step = 'the session lost and renewed';
      const answer = await published;
      result.published = answer;
      await waitFor('feed resumed with p4, p5 and the page\'s own', () => feedLog.publications.length >= 6);
      await waitFor('short/a p5, p6', () => shortLog.publications.length >= 3);
      result.lostReason = lost && lost.reason;
      result.unacknowledged = lost ? lost.unacknowledged : null;
      result.feed = copy({ subscribed: feedLog.subscribed, publications: datas(feedLog), gaps: feedLog.gaps, other: feedLog.other, cursor: feed.cursor });
      result.short = copy({ subscribed: shortLog.subscribed, publications: datas(shortLog), gaps: shortLog.gaps, other: shortLog.other });
      result.epochKept = feed.cursor.epoch === result.cursorBefore.epoch;
      result.step = 'presence';
      const members = await feed.presence();
      result.presence = { asked: members.length, known: feed.members.length, same: members.length === 1 && feed.members.length === 1 && members[0].id === feed.members[0].id };
      result.step = 'close';
      await client.close();
      // Closing the client ends its subscriptions, each with an unsubscribed event.
      result.afterClose = [feed.state, short.state, feedLog.other.join(), shortLog.other.join()];
    } else {
      result.step = 'api checks';
      const checks = [];
      const throwsType = (what, action) => {
        try {
          action();
        } catch (e) {
          if (e instanceof TypeError) {
            checks.push(what);
            return;
          }
          throw e;
        }
        throw new Error(`${what}: did not throw`);
      };
      throwsType('invalid channel', () => client.subscribe('/not-a-name'));
      throwsType('info over 1 KiB', () => client.subscribe('big', { info: 'x'.repeat(1100) }));
      throwsType('history not a count', () => client.subscribe('neg', { history: -1 }));
      const rejected = await client.publish('orders', 42).then(() => 'published', (e) => e instanceof TypeError);
      if (rejected === true) checks.push('publication not text or binary');
      result.checks = checks;
      const orders = client.subscribe('orders');
      const log = follow(orders);
      await client.connect();
      await orders.ready;
      result.step = 'publish once';
      result.first = await client.publish('orders', 'once');
      result.step = 'publish twice';
      result.second = await orders.publish('twice');
      result.third = await orders.publish(new Uint8Array([0, 1, 127, 128, 254, 255]));
      await waitFor('the three publications', () => log.publications.length >= 3);
      result.step = 'a refused subscription';
      const secret = client.subscribe('secret');
      const refusals = [];
      secret.addEventListener('refused', (e) => refusals.push(e.detail.error));
      result.refused = await secret.ready.then(() => 'subscribed', (e) => e.code);
      result.refusedEvents = refusals;
      result.refusedState = secret.state;
      result.orders = copy({ subscribed: log.subscribed, publications: datas(log), other: log.other });
      result.lostReason = lost && lost.reason;
      result.step = 'close';
      await client.close();
    }
    result.ok = true;
  } catch (e) {
    result.error = `${result.step}: ${e.message}`;
    client.close().catch(() => {});
  }
  return result;
}

function main() {
  return withChromiumPage({ executablePath, timeoutMs, profilePrefix: 'duplex-channels-' }, async (page, browserLog) => {
    await page.exposeFunction('duplexStep', async (name) => {
      process.stdout.write(`${name}\n`);
      const line = await nextLine();
      if (line !== 'GO') throw new Error(`expected GO on stdin, got ${line}`);
    });
    await page.exposeFunction('duplexOffline', (offline) => page.context().setOffline(offline));
    await page.goto(pageUrl);
    await page.waitForFunction(() => typeof Duplex === 'object' && typeof Duplex.RealtimeClient === 'function');
    const result = await page.evaluate(pageScript, settings);
    if (result.ok && browserLog.length > 0) return { ok: false, error: 'the page raised errors', browserLog, ...result };
    return result;
  });
}

runBrowserPeer(main, timeoutMs);

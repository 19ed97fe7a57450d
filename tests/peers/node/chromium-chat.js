#!/usr/bin/env node
'use strict';
// Drives the chat page of `duplex serve` (web/chat.html) in headless Chromium as two people would,
// each in a browser context of their own: Alice joins ALICE_URL's room, says two things, then Bob
// joins from BOB_URL (through the test's fault proxy) and sees them (the room's history), both see
// both names. Then Bob's network goes away (his context offline), the script prints `PAUSE` and
// waits for `GO` on stdin (meanwhile the test resets every connection of the proxy); Bob's page must
// show "reconnecting…" while Alice says --while more things; then Bob's network comes back and his
// page must show every one of them, once, in order, after the first two. Then they talk both ways,
// Bob leaves (the Leave button) and Alice's page must show him gone.
//
// usage: node chromium-chat.js ALICE_URL BOB_URL [--while N] [--screenshots DIR] [--prefix NAME] [--timeout SECONDS] [--chromium PATH]
// With --screenshots, the pages are saved there as PNGs: NAME-reconnecting.png (Bob away), NAME-bob.png
// (Bob back, with everything), NAME-alice.png (after Bob left); NAME is chat unless --prefix says.
// The URLs are chat.html's with ?transport=T&room=R (the names are added here).
// Prints one JSON line, {"ok":true,...} or {"ok":false,"error":"..."}, and exits 0 or 1.

const path = require('path');
const readline = require('readline');
const { parseArgs, intOption, printResult, chromiumPath, exitUnlessChromiumAt, runBrowserPeer, CHROMIUM_ARGS } = require('./peer-common');

const { positional, options } = parseArgs(process.argv.slice(2));
const [aliceUrl, bobUrl] = positional;
const timeoutMs = intOption(options, 'timeout', 60) * 1000;
const whileAway = intOption(options, 'while', 5);
const screenshots = options.screenshots || null;
const prefix = options.prefix || 'chat';
const executablePath = chromiumPath(options);
if (!aliceUrl || !bobUrl) {
  printResult({ ok: false, error: 'usage: chromium-chat.js ALICE_URL BOB_URL [--while N] [--screenshots DIR]' });
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

function withName(url, name) {
  const u = new URL(url);
  u.searchParams.set('name', name);
  u.searchParams.set('join', '');
  return u.toString();
}

/** The texts of the messages a page shows, in order. */
function texts(page) {
  return page.$$eval('#messages li.msg .text', (items) => items.map((i) => i.textContent));
}

function members(page) {
  return page.$$eval('#members li', (items) => items.map((i) => i.textContent));
}

async function say(page, text) {
  await page.fill('#message', text);
  await page.press('#message', 'Enter');
}

/** Waits until the page shows exactly `expected` as its last messages (and nothing after). */
function waitForTexts(page, expected) {
  return page.waitForFunction((want) => {
    const got = [...document.querySelectorAll('#messages li.msg .text')].map((i) => i.textContent);
    return got.length >= want.length && want.every((t, i) => got[got.length - want.length + i] === t);
  }, expected);
}

function waitForMembers(page, names) {
  return page.waitForFunction((want) => {
    const got = [...document.querySelectorAll('#members li')].map((i) => i.textContent).sort();
    return got.length === want.length && want.every((n, i) => got[i] === n);
  }, [...names].sort());
}

async function shoot(page, name) {
  if (!screenshots) return null;
  const file = path.join(screenshots, `${prefix}-${name}`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

async function main() {
  let chromium;
  try {
    ({ chromium } = require('playwright-core'));
  } catch (e) {
    return { ok: false, error: `playwright-core is not installed in tests/peers (run ./test.sh): ${e.message}` };
  }
  const browserLog = [];
  const result = { ok: false, step: 'launch', shots: [] };
  let browser;
  try {
    browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS, timeout: timeoutMs });
    const aliceContext = await browser.newContext({ viewport: { width: 900, height: 640 } });
    const bobContext = await browser.newContext({ viewport: { width: 900, height: 640 } });
    const alice = await aliceContext.newPage();
    const bob = await bobContext.newPage();
    for (const [who, page] of [['alice', alice], ['bob', bob]]) {
      page.setDefaultTimeout(timeoutMs);
      page.on('pageerror', (e) => browserLog.push(`${who} pageerror: ${e.message}`));
    }

    result.step = 'alice joins';
    await alice.goto(withName(aliceUrl, 'Alice'));
    await alice.waitForSelector('#status[data-state="connected"]');
    result.transport = await alice.getAttribute('#status', 'data-transport');
    await waitForMembers(alice, ['Alice']);
    const before = ['hello, anyone here?', 'κόσμε ✓ 🎉 "quoted"'];
    for (const text of before) await say(alice, text);
    await waitForTexts(alice, before);

    result.step = 'bob joins';
    await bob.goto(withName(bobUrl, 'Bob'));
    await bob.waitForSelector('#status[data-state="connected"]');
    result.bobTransport = await bob.getAttribute('#status', 'data-transport');
    await waitForTexts(bob, before);
    await waitForMembers(bob, ['Alice', 'Bob']);
    await waitForMembers(alice, ['Alice', 'Bob']);
    result.membersSeenByBob = await members(bob);

    result.step = 'bob cut off';
    await bobContext.setOffline(true);
    process.stdout.write('PAUSE\n');
    const line = await nextLine();
    if (line !== 'GO') throw new Error(`expected GO on stdin, got ${line}`);
    await bob.waitForSelector('#status[data-state="reconnecting"]');
    result.bobStatusWhileAway = await bob.textContent('#status');
    const meanwhile = [];
    for (let i = 1; i <= whileAway; i++) meanwhile.push(`while you were away ${i}`);
    for (const text of meanwhile) await say(alice, text);
    await waitForTexts(alice, meanwhile);
    result.shots.push(await shoot(bob, 'reconnecting.png'));
    result.bobShowsBeforeComingBack = (await texts(bob)).length;

    result.step = 'bob comes back';
    await bobContext.setOffline(false);
    await bob.waitForSelector('#status[data-state="connected"]');
    await waitForTexts(bob, before.concat(meanwhile));
    await say(bob, 'back again, thanks');
    await waitForTexts(alice, ['back again, thanks']);
    await waitForTexts(bob, ['back again, thanks']);
    result.bobTexts = await texts(bob);
    result.aliceTexts = await texts(alice);
    result.shots.push(await shoot(bob, 'bob.png'));

    result.step = 'bob leaves';
    await bob.click('#leave');
    await waitForMembers(alice, ['Alice']);
    result.membersAfterLeave = await members(alice);
    result.aliceNotices = await alice.$$eval('#messages li.notice', (items) => items.map((i) => i.textContent));
    result.shots.push(await shoot(alice, 'alice.png'));
    result.shots = result.shots.filter((s) => s !== null);
    if (browserLog.length > 0) return Object.assign(result, { error: 'the pages raised errors', browserLog });
    result.ok = true;
    return result;
  } catch (e) {
    return Object.assign(result, { ok: false, error: `${result.step}: ${e.message}`, browserLog });
  } finally {
    if (browser) await browser.close().catch(() => {});
  }
}

runBrowserPeer(main, timeoutMs);

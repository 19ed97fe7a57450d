'use strict';
// Helpers shared by the Node peers: argument parsing, deterministic payloads, result lines,
// and the headless Chromium that the browser peers drive.

const fs = require('fs');
const os = require('os');
const path = require('path');

/**
 * Parses argv into { positional: [], options: {} }.
 * `--name value` stores a string, a flag listed in `flags` stores true,
 * and a name listed in `lists` may repeat and collects an array.
 */
function parseArgs(argv, { flags = [], lists = [] } = {}) {
  const positional = [];
  const options = {};
  for (const name of lists) options[name] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    let name = arg.slice(2);
    let value;
    const eq = name.indexOf('=');
    if (eq >= 0) {
      value = name.slice(eq + 1);
      name = name.slice(0, eq);
    }
    if (flags.includes(name)) {
      options[name] = value === undefined ? true : value !== 'false';
      continue;
    }
    if (value === undefined) {
      if (i + 1 >= argv.length) throw new Error(`option --${name} needs a value`);
      value = argv[++i];
    }
    if (lists.includes(name)) options[name].push(value);
    else options[name] = value;
  }
  return { positional, options };
}

function intOption(options, name, fallback) {
  if (options[name] === undefined) return fallback;
  const n = Number(options[name]);
  if (!Number.isInteger(n) || n < 0) throw new Error(`option --${name} must be a non-negative integer, got ${options[name]}`);
  return n;
}

/** `size` bytes where byte i is (i * 31 + 7) mod 256. */
function binaryPattern(size) {
  const buf = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) buf[i] = (i * 31 + 7) & 0xff;
  return buf;
}

/**
 * A string whose UTF-8 encoding is exactly `byteLength` bytes and mixes 1-, 2-, 3- and
 * 4-byte characters, so that a peer that splits frames or validates UTF-8 incrementally
 * sees code points cut at every kind of boundary.
 */
function textPattern(byteLength) {
  const unit = 'Duplex \u00e9\u00df \u2713\u20ac \ud83d\ude00 0123456789 ';
  const unitBytes = Buffer.byteLength(unit, 'utf8');
  let text = unit.repeat(Math.floor(byteLength / unitBytes));
  let remaining = byteLength - Buffer.byteLength(text, 'utf8');
  text += 'x'.repeat(remaining);
  return text;
}

function describeMismatch(expected, actual) {
  const a = Buffer.isBuffer(expected) ? expected : Buffer.from(expected, 'utf8');
  const b = Buffer.isBuffer(actual) ? actual : Buffer.from(actual, 'utf8');
  if (a.length !== b.length) return `length ${b.length}, expected ${a.length}`;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return `first difference at byte ${i}: 0x${b[i].toString(16)} instead of 0x${a[i].toString(16)}`;
  }
  return 'no difference';
}

/** Prints one JSON line on stdout. */
function printResult(result) {
  process.stdout.write(JSON.stringify(result) + '\n');
}

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** The Chromium to drive: --chromium PATH, else $CHROMIUM_PATH, else /usr/bin/chromium. */
function chromiumPath(options) {
  return options.chromium || process.env.CHROMIUM_PATH || '/usr/bin/chromium';
}

/**
 * Chromium flags asked for on the command line: `--trust-spki BASE64` (the base64 SHA-256 of a
 * certificate's SubjectPublicKeyInfo) makes Chromium accept that one certificate, self-signed or
 * not, and no other untrusted one.
 */
function extraChromiumArgs(options) {
  return options['trust-spki'] ? [`--ignore-certificate-errors-spki-list=${options['trust-spki']}`] : [];
}

/** Prints the failure line and exits 1 when there is no Chromium at `executablePath`. */
function exitUnlessChromiumAt(executablePath) {
  if (!fs.existsSync(executablePath)) {
    printResult({ ok: false, error: `Chromium not found at ${executablePath}; run ./test.sh to install it` });
    process.exit(1);
  }
}

/**
 * Launches headless Chromium through playwright-core with a fresh profile (a temporary folder
 * named `profilePrefix`...) and `extraArgs` after the usual flags, hands its page to `use(page, browserLog)` and returns what `use`
 * returns. Page errors are collected in `browserLog`. Any failure becomes an {ok:false} result;
 * the browser is closed and the profile removed in every case.
 */
async function withChromiumPage({ executablePath, timeoutMs, profilePrefix, extraArgs = [] }, use) {
  let chromium;
  try {
    ({ chromium } = require('playwright-core'));
  } catch (e) {
    return { ok: false, error: `playwright-core is not installed in tests/peers (run ./test.sh): ${e.message}` };
  }
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), profilePrefix));
  const browserLog = [];
  let context;
  try {
    context = await chromium.launchPersistentContext(userDataDir, { executablePath, headless: true, args: [...CHROMIUM_ARGS, ...extraArgs], timeout: timeoutMs });
    const page = context.pages()[0] || (await context.newPage());
    page.setDefaultTimeout(timeoutMs);
    page.on('pageerror', (e) => browserLog.push(`pageerror: ${e.message}`));
    return await use(page, browserLog);
  } catch (e) {
    return { ok: false, error: `browser: ${e.message}`, browserLog };
  } finally {
    if (context) await context.close().catch(() => {});
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
}

/**
 * The end of a page peer: a full-page screenshot to `screenshotPath` when one is asked (its path
 * then in the result), and the result turned into a failure when the page logged errors.
 */
async function finishPage(page, result, browserLog, screenshotPath) {
  if (screenshotPath) {
    await page.screenshot({ path: screenshotPath, fullPage: true });
    result.screenshot = screenshotPath;
  }
  if (browserLog.length > 0) return { ok: false, error: 'the page raised errors', browserLog, ...result };
  return result;
}

/**
 * Runs `main`, prints the result line it resolves to and exits 0 when it is ok, 1 otherwise;
 * after 3 x `timeoutMs` in all it prints a time-out failure and exits 1 instead.
 */
function runBrowserPeer(main, timeoutMs) {
  const overall = setTimeout(() => {
    printResult({ ok: false, error: `timed out after ${(3 * timeoutMs) / 1000} s in total` });
    process.exit(1);
  }, 3 * timeoutMs);
  main().then((result) => {
    clearTimeout(overall);
    printResult(result);
    process.exit(result.ok ? 0 : 1);
  });
}

module.exports = {
  parseArgs,
  intOption,
  binaryPattern,
  textPattern,
  describeMismatch,
  printResult,
  chromiumPath,
  extraChromiumArgs,
  exitUnlessChromiumAt,
  withChromiumPage,
  finishPage,
  runBrowserPeer,
  CHROMIUM_ARGS,
};

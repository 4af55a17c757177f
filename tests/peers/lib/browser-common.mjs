// Shared helpers for browser.mjs and device.mjs: headless Debian chromium via playwright-core,
// loopback-only network, a global deadline, and a timestamped log on stderr (or a file).

import { appendFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const T0 = Date.now();
const LOG_FILE = process.env.KEYWARD_TEST_BROWSER_LOG || '';

export function makeLogger(name) {
  return (msg) => {
    const line = `[${name} +${String(Date.now() - T0).padStart(5)}ms] ${msg}\n`;
    if (LOG_FILE) {
      try { appendFileSync(LOG_FILE, line); return; } catch { /* fall back to stderr */ }
    }
    process.stderr.write(line);
  };
}

export const LOGIN = process.env.KEYWARD_TEST_LOGIN || 'alice';
export const PASSWORD = process.env.KEYWARD_TEST_PASSWORD || 'any-password';
// '1' = deny at the first chance; device.mjs also accepts 'consent' (sign in, then cancel).
export const DENY_MODE = process.env.KEYWARD_TEST_DENY || '';
export const DENY = DENY_MODE === '1' || DENY_MODE === 'consent';
const TIMEOUT_MS = Number(process.env.KEYWARD_TEST_TIMEOUT_MS || 60000);
export const STEP_TIMEOUT_MS = Math.min(20000, TIMEOUT_MS);

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export function isLoopback(url) {
  try {
    const u = new URL(url);
    return (u.protocol === 'http:' || u.protocol === 'https:') && LOOPBACK_HOSTS.has(u.hostname);
  } catch {
    return false;
  }
}

// Secrets in URLs (code, state, user_code...) are fine in a test log, but keep lines short.
export function short(url, max = 160) {
  return url.length > max ? `${url.slice(0, max)}...` : url;
}

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
  '--disable-quic',
  '--disable-extensions',
  '--disable-default-apps',
  '--no-default-browser-check',
  '--password-store=basic',
  '--use-mock-keychain',
];

// Runs `body({ context, page, cdp, log })` in a fresh headless chromium and exits the
// process: 0 when body resolves, 1 when it throws, 2 on the global deadline.
export async function runInBrowser(name, body) {
  const log = makeLogger(name);
  let context;
  let userDataDir;
  let finished = false;

  const cleanup = async () => {
    try { await context?.close(); } catch { /* ignore */ }
    if (userDataDir) {
      try { rmSync(userDataDir, { recursive: true, force: true }); } catch { /* ignore */ }
    }
  };
  const exit = async (code, msg) => {
    if (finished) return;
    finished = true;
    if (msg) log(msg);
    await Promise.race([cleanup(), new Promise((r) => setTimeout(r, 5000))]);
    log(`exit ${code}`);
    process.exit(code);
  };

  const deadline = setTimeout(() => {
    process.stderr.write(`${name}: FAILED: gave up after ${TIMEOUT_MS} ms\n`);
    exit(2, `timeout after ${TIMEOUT_MS} ms`);
  }, TIMEOUT_MS);
  deadline.unref?.();
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
    process.on(sig, () => exit(1, `killed by ${sig}`));
  }

  try {
    const { chromium } = await import('playwright-core');
    userDataDir = mkdtempSync(join(tmpdir(), 'keyward-chromium-'));
    log(`launching /usr/bin/chromium (user-data-dir ${userDataDir})`);
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: process.env.KEYWARD_TEST_CHROMIUM || '/usr/bin/chromium',
      headless: true,
      args: CHROMIUM_ARGS,
      timeout: STEP_TIMEOUT_MS,
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
    const page = context.pages()[0] || await context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    page.setDefaultNavigationTimeout(STEP_TIMEOUT_MS);
    log(`browser up (${context.browser()?.version?.() ?? 'chromium'})`);

    await body({ context, page, log });
    clearTimeout(deadline);
    await exit(0, 'success');
  } catch (err) {
    clearTimeout(deadline);
    if (finished) return; // already exiting (deadline or signal); this error is its echo
    const msg = err?.message?.split('\n')[0] ?? String(err);
    process.stderr.write(`${name}: FAILED: ${msg}\n`);
    await exit(1, `error: ${err?.stack ?? err}`);
  }
}

// Network policy for the whole page, done with the CDP Fetch domain (unlike page.route it
// also sees redirect hops): every non-loopback request is failed (the provider's pages
// @import web fonts); `onPaused(url)` may return 'abort' to fail a loopback request too.
export async function installNetworkPolicy(context, page, log, onPaused = () => 'continue') {
  const cdp = await context.newCDPSession(page);
  cdp.on('Fetch.requestPaused', async (ev) => {
    const { url } = ev.request;
    let action = 'continue';
    if (!isLoopback(url)) {
      action = 'block';
    } else {
      try { action = onPaused(url) || 'continue'; } catch (err) { log(`policy error: ${err}`); }
    }
    try {
      if (action === 'continue') {
        await cdp.send('Fetch.continueRequest', { requestId: ev.requestId });
      } else {
        if (action === 'block') log(`blocked non-loopback request ${short(url, 100)}`);
        await cdp.send('Fetch.failRequest', { requestId: ev.requestId, errorReason: 'BlockedByClient' });
      }
    } catch (err) {
      // The target may have gone away while we were deciding; nothing to do.
      if (!/closed|Target|detached/i.test(String(err))) log(`Fetch command failed: ${err}`);
    }
  });
  await cdp.send('Fetch.enable', { patterns: [{ urlPattern: '*', requestStage: 'Request' }] });
  return cdp;
}

export function writeFileAtomic(path, content) {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, content);
  renameSync(tmp, path);
}

// ---- the provider's devInteractions pages ---------------------------------------------------

// Which devInteractions page is showing? 'login' | 'consent' | 'error' | null
export async function interactionKind(page) {
  return page.evaluate(() => {
    const prompt = document.querySelector('input[type=hidden][name=prompt]');
    if (prompt) return prompt.value; // 'login' or 'consent'
    if (/oops/i.test(document.title) || document.querySelector('h1')?.textContent?.match(/oops/i)) return 'error';
    return null;
  }).catch(() => null);
}

export async function pageText(page) {
  return page.evaluate(() => document.body?.innerText ?? '').catch(() => '');
}

export async function submitLogin(page, log) {
  log(`login page ${short(page.url(), 80)}: login=${LOGIN}`);
  await page.fill('input[name=login]', LOGIN);
  await page.fill('input[name=password]', PASSWORD);
  await Promise.all([
    page.waitForNavigation({ waitUntil: 'domcontentloaded' }).catch(() => {}),
    page.click('form button[type=submit]'),
  ]);
}

export async function answerConsent(page, log) {
  if (DENY) {
    log(`consent page ${short(page.url(), 80)}: DENY -> clicking [ Cancel ]`);
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'domcontentloaded' }).catch(() => {}),
      page.click('.login-help a:has-text("Cancel")'),
    ]);
  } else {
    log(`consent page ${short(page.url(), 80)}: clicking Continue`);
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'domcontentloaded' }).catch(() => {}),
      page.click('form:has(input[name=prompt][value=consent]) button[type=submit]'),
    ]);
  }
}

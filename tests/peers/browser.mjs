#!/usr/bin/env node
// A scripted "user with a browser" for keyward's integration tests, usable as $BROWSER:
//   browser.mjs <authorize-url>
// Opens the URL in headless chromium, signs in on oidc-provider's devInteractions pages,
// consents (or cancels with KEYWARD_TEST_DENY=1) and waits until the loopback callback page
// has loaded. Exit 0 on success, 1 on failure, 2 on the 60 s deadline. Log on stderr.

import {
  DENY, STEP_TIMEOUT_MS, answerConsent, installNetworkPolicy, interactionKind, isLoopback,
  pageText, runInBrowser, short, submitLogin, writeFileAtomic,
} from './lib/browser-common.mjs';

const NAME = 'browser.mjs';
const CALLBACK_FILE = process.env.KEYWARD_TEST_CALLBACK_FILE || '';
const NO_FOLLOW = process.env.KEYWARD_TEST_NO_FOLLOW === '1';

const authorizeUrl = process.argv.slice(2).find((a) => /^https?:\/\//i.test(a));
if (!authorizeUrl) {
  process.stderr.write(`${NAME}: FAILED: usage: browser.mjs <authorize-url> (got ${JSON.stringify(process.argv.slice(2))})\n`);
  process.exit(1);
}

const authorize = new URL(authorizeUrl);
const providerOrigin = authorize.origin;
let redirectUri = null;
try {
  const r = authorize.searchParams.get('redirect_uri');
  if (r) redirectUri = new URL(r);
} catch { /* fall through: any other loopback origin counts as the callback */ }

function isCallback(url) {
  if (!isLoopback(url)) return false;
  let u;
  try { u = new URL(url); } catch { return false; }
  if (redirectUri) return u.origin === redirectUri.origin && u.pathname === redirectUri.pathname;
  return u.origin !== providerOrigin;
}

await runInBrowser(NAME, async ({ context, page, log }) => {
  log(`authorize URL: ${short(authorizeUrl, 200)}`);
  log(`login=${process.env.KEYWARD_TEST_LOGIN || 'alice'} deny=${DENY} no_follow=${NO_FOLLOW} callback_file=${CALLBACK_FILE || '-'}`);

  let callbackUrl = null;
  let callbackFailed = null;
  let callbackSeen;
  const callbackSeenP = new Promise((r) => { callbackSeen = r; });

  const record = (url, how) => {
    if (callbackUrl) return;
    callbackUrl = url;
    log(`callback request (${how}): ${url}`);
    if (CALLBACK_FILE) {
      writeFileAtomic(CALLBACK_FILE, url);
      log(`wrote callback URL to ${CALLBACK_FILE}`);
    }
    callbackSeen();
  };

  await installNetworkPolicy(context, page, log, (url) => {
    if (isCallback(url)) {
      record(url, 'fetch');
      if (NO_FOLLOW) {
        log('KEYWARD_TEST_NO_FOLLOW=1: aborting the callback request');
        return 'abort';
      }
    }
    return 'continue';
  });
  page.on('request', (req) => { if (isCallback(req.url())) record(req.url(), 'request event'); });
  page.on('requestfailed', (req) => {
    if (isCallback(req.url()) && !NO_FOLLOW) {
      callbackFailed = req.failure()?.errorText || 'failed';
      log(`callback request FAILED: ${callbackFailed}`);
    }
  });
  page.on('response', (res) => {
    if (isCallback(res.url())) log(`callback response: HTTP ${res.status()}`);
  });

  try {
    await page.goto(authorizeUrl, { waitUntil: 'domcontentloaded' });
  } catch (err) {
    if (!callbackUrl) throw new Error(`cannot open the authorize URL: ${err.message.split('\n')[0]}`);
  }

  for (let step = 0; !callbackUrl; step++) {
    if (step > 20) throw new Error(`no callback after ${step} steps; last page ${page.url()}`);
    const kind = await interactionKind(page);
    if (callbackUrl) break;
    if (kind === 'login') {
      await submitLogin(page, log);
    } else if (kind === 'consent') {
      await answerConsent(page, log);
    } else if (kind === 'error') {
      throw new Error(`provider error page at ${short(page.url(), 100)}: ${(await pageText(page)).replace(/\s+/g, ' ').slice(0, 300)}`);
    } else {
      if (page.url().startsWith('chrome-error:')) {
        throw new Error(`navigation failed (chrome error page) before the callback; last URL ${page.url()}`);
      }
      // Unknown page or still navigating: give it a moment.
      await Promise.race([callbackSeenP, page.waitForLoadState('domcontentloaded').catch(() => {}),
        new Promise((r) => setTimeout(r, 250))]);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  const params = new URL(callbackUrl).searchParams;
  if (params.has('error')) log(`callback carries error=${params.get('error')} (${params.get('error_description') || ''})`);
  else if (params.has('code')) log('callback carries a code');

  if (NO_FOLLOW) return;

  // Wait until the loopback callback page itself has loaded.
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  for (;;) {
    if (callbackFailed) throw new Error(`the callback request failed: ${callbackFailed} (is the loopback listener up?)`);
    if (isCallback(page.url())) {
      await page.waitForLoadState('load', { timeout: Math.max(1, deadline - Date.now()) });
      log(`callback page loaded: ${short(page.url(), 120)}`);
      return;
    }
    if (Date.now() > deadline) throw new Error(`callback page did not load; page is at ${page.url()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
});

#!/usr/bin/env node
// Approves (or denies) an RFC 8628 device login in headless chromium:
//   device.mjs <verification_uri> <user_code>
//   device.mjs <verification_uri_complete>          (the user code is taken from the URL)
// Opens the verification page, types the user code, confirms, signs in on the provider's
// devInteractions pages, consents and waits for the "Sign-in Success" page.
// KEYWARD_TEST_DENY=1: click [ Abort ] on the confirmation page (polling then gets
// access_denied); KEYWARD_TEST_DENY=consent: sign in, then [ Cancel ] on the consent page.
// Exit 0 when the expected final page is reached, 1 on failure, 2 on the 60 s deadline.

import {
  DENY_MODE, answerConsent, installNetworkPolicy, interactionKind, pageText, runInBrowser,
  short, submitLogin,
} from './lib/browser-common.mjs';

const NAME = 'device.mjs';
const [verificationUri, userCodeArg] = process.argv.slice(2);
if (!verificationUri || !/^https?:\/\//i.test(verificationUri)) {
  process.stderr.write(`${NAME}: FAILED: usage: device.mjs <verification_uri> <user_code>\n`);
  process.exit(1);
}
const userCode = userCodeArg || new URL(verificationUri).searchParams.get('user_code');
if (!userCode) {
  process.stderr.write(`${NAME}: FAILED: no user code given (argument or ?user_code= in the URL)\n`);
  process.exit(1);
}

// Which device-flow page is showing?
async function deviceKind(page) {
  return page.evaluate(() => {
    const title = document.title || '';
    const text = document.body?.innerText || '';
    if (/Sign-in Success/i.test(title)) return 'success';
    if (document.getElementById('op.deviceConfirmForm')) return 'confirm';
    if (document.getElementById('op.deviceInputForm')) {
      if (/interrupted/i.test(text)) return 'aborted';
      if (/incorrect|error processing/i.test(text)) return 'input-error';
      return 'input';
    }
    return null;
  }).catch(() => null);
}

const click = (page, selector) => Promise.all([
  page.waitForNavigation({ waitUntil: 'domcontentloaded' }).catch(() => {}),
  page.click(selector),
]);

await runInBrowser(NAME, async ({ context, page, log }) => {
  log(`verification URI: ${verificationUri}  user_code=${userCode}  login=${process.env.KEYWARD_TEST_LOGIN || 'alice'}  deny=${DENY_MODE || 'no'}`);
  await installNetworkPolicy(context, page, log);

  await page.goto(verificationUri, { waitUntil: 'domcontentloaded' });

  let typed = false;
  for (let step = 0; ; step++) {
    if (step > 20) throw new Error(`device login did not finish after ${step} steps; last page ${page.url()}`);
    const kind = (await deviceKind(page)) || (await interactionKind(page));
    switch (kind) {
      case 'input':
        if (typed) throw new Error('the user code form came back without an error message');
        log(`user code page ${short(page.url(), 80)}: typing ${userCode}`);
        await page.fill('input[name=user_code]', userCode);
        typed = true;
        await click(page, 'button[form="op.deviceInputForm"]');
        break;
      case 'input-error':
        throw new Error(`the provider refused the user code: ${(await pageText(page)).replace(/\s+/g, ' ').slice(0, 200)}`);
      case 'confirm':
        if (DENY_MODE === '1') {
          log('confirmation page: DENY -> clicking [ Abort ]');
          await click(page, 'button[name=abort]');
        } else {
          log('confirmation page: clicking Continue');
          await click(page, 'button[autofocus][form="op.deviceConfirmForm"]');
        }
        break;
      case 'aborted':
        if (DENY_MODE) {
          log('provider says: "The Sign-in request was interrupted" (denied as asked)');
          return;
        }
        throw new Error('the provider says the sign-in request was interrupted');
      case 'login':
        await submitLogin(page, log);
        break;
      case 'consent':
        await answerConsent(page, log);
        break;
      case 'success':
        if (DENY_MODE) throw new Error('reached the success page although KEYWARD_TEST_DENY is set');
        log(`success page reached: ${short(page.url(), 80)}`);
        return;
      case 'error': {
        const text = (await pageText(page)).replace(/\s+/g, ' ').slice(0, 300);
        if (DENY_MODE && /access_denied/.test(text)) {
          log(`provider error page after deny: ${text}`);
          return;
        }
        throw new Error(`provider error page at ${short(page.url(), 100)}: ${text}`);
      }
      default:
        if (page.url().startsWith('chrome-error:')) throw new Error(`navigation failed; last URL ${page.url()}`);
        await page.waitForLoadState('domcontentloaded').catch(() => {});
        await new Promise((r) => setTimeout(r, 200));
    }
  }
});

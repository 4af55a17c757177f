#!/usr/bin/env node
// Self-test of the peers, without keyward: starts provider.mjs, runs browser.mjs (login,
// deny, no-follow) against a loopback callback listener and device.mjs, and checks the token
// endpoint answers. Uses callback port 8769 (override: SELFTEST_CALLBACK_PORT).
// Exit 0 when every check passes. Usage: node tests/peers/selftest.mjs

import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const DIR = dirname(fileURLToPath(import.meta.url));
const CB_PORT = Number(process.env.SELFTEST_CALLBACK_PORT || 8769);
const tmp = mkdtempSync(join(tmpdir(), 'keyward-peers-selftest-'));
const REQUEST_LOG = join(tmp, 'requests.log');
let failures = 0;
const check = (ok, what) => { console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`); if (!ok) failures++; };

const killer = setTimeout(() => { console.log('FAIL selftest timed out'); process.exit(2); }, 180000);

const t0 = Date.now();
const provider = spawn(process.execPath, [join(DIR, 'provider.mjs')], {
  stdio: ['pipe', 'pipe', 'inherit'],
  env: { ...process.env, REQUEST_LOG, DEVICE_INTERVAL: '1' },
});
const info = JSON.parse(await new Promise((resolve, reject) => {
  createInterface({ input: provider.stdout }).once('line', resolve);
  provider.once('exit', (c) => reject(new Error(`provider exited early (${c})`)));
}));
console.log(`provider ready in ${Date.now() - t0} ms at ${info.issuer}`);

const callbacks = [];
const server = createServer((req, res) => {
  if (req.url.startsWith('/callback')) callbacks.push(req.url);
  res.setHeader('content-type', 'text/html');
  res.end('<html><body>callback received</body></html>');
});
await new Promise((r) => server.listen(CB_PORT, '127.0.0.1', r));

const run = (script, args, env = {}) => new Promise((resolve) => {
  const t = Date.now();
  const p = spawn(process.execPath, [join(DIR, script), ...args], {
    stdio: ['ignore', 'inherit', 'pipe'], env: { ...process.env, ...env },
  });
  let err = '';
  p.stderr.on('data', (d) => { err += d; });
  p.on('exit', (code) => resolve({ code, ms: Date.now() - t, err }));
});
const form = async (url, body, headers = {}) => {
  const r = await fetch(url, { method: 'POST', body: new URLSearchParams(body), headers });
  return { status: r.status, json: await r.json().catch(() => ({})) };
};
function authorizeUrl(extra = {}) {
  const verifier = randomBytes(32).toString('base64url');
  const u = new URL(info.authorization_endpoint);
  const redirectUri = `http://127.0.0.1:${CB_PORT}/callback`;
  const state = randomBytes(12).toString('base64url');
  Object.entries({
    response_type: 'code', client_id: info.client_id, redirect_uri: redirectUri,
    scope: 'openid profile email offline_access', state, prompt: 'consent',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256', ...extra,
  }).forEach(([k, v]) => u.searchParams.set(k, v));
  return { url: u.href, verifier, state, redirectUri };
}

try {
  // discovery + PAT
  const disc = await (await fetch(`${info.issuer}/.well-known/openid-configuration`)).json();
  check(disc.issuer === info.issuer && disc.token_endpoint === info.token_endpoint, 'discovery document');
  const me = await fetch(info.userinfo_endpoint, { headers: { authorization: `Bearer ${info.pat}` } });
  check(me.status === 200 && (await me.json()).sub === 'pat-user', 'PAT accepted at userinfo');

  // authorization code + PKCE through browser.mjs
  const a = authorizeUrl();
  const b = await run('browser.mjs', [a.url], { KEYWARD_TEST_LOGIN: 'selftest' });
  check(b.code === 0, `browser.mjs login exit 0 (${b.ms} ms)${b.code ? `\n${b.err}` : ''}`);
  const cb = new URL(callbacks.at(-1) ?? '/none', a.redirectUri);
  check(cb.searchParams.get('state') === a.state && cb.searchParams.get('iss') === info.issuer, 'callback has state and iss');
  const tok = await form(info.token_endpoint, {
    grant_type: 'authorization_code', code: cb.searchParams.get('code'), code_verifier: a.verifier,
    client_id: info.client_id, redirect_uri: a.redirectUri,
  });
  check(tok.status === 200 && tok.json.access_token && tok.json.refresh_token && tok.json.expires_in, 'code exchange gives access + refresh tokens');
  const ref = await form(info.token_endpoint, { grant_type: 'refresh_token', refresh_token: tok.json.refresh_token, client_id: info.client_id });
  check(ref.status === 200 && ref.json.refresh_token !== tok.json.refresh_token, 'refresh rotates the refresh token');
  const me2 = await fetch(info.userinfo_endpoint, { headers: { authorization: `Bearer ${ref.json.access_token}` } });
  check(me2.status === 200 && (await me2.json()).email === 'selftest@example.test', 'userinfo for the logged-in user');

  // deny
  const d = authorizeUrl();
  const n = callbacks.length;
  const bd = await run('browser.mjs', [d.url], { KEYWARD_TEST_DENY: '1' });
  const dcb = new URL(callbacks[n] ?? '/none', d.redirectUri);
  check(bd.code === 0 && dcb.searchParams.get('error') === 'access_denied', `deny gives error=access_denied (${bd.ms} ms)`);

  // no-follow + callback file
  const f = authorizeUrl();
  const m = callbacks.length;
  const file = join(tmp, 'callback.url');
  const bf = await run('browser.mjs', [f.url], { KEYWARD_TEST_CALLBACK_FILE: file, KEYWARD_TEST_NO_FOLLOW: '1' });
  let saved = '';
  try { saved = readFileSync(file, 'utf8'); } catch { /* checked below */ }
  check(bf.code === 0 && saved.startsWith(f.redirectUri) && new URL(saved).searchParams.get('code') && callbacks.length === m,
    'no-follow writes the callback URL and the listener gets nothing');

  // device flow
  const da = await form(info.device_authorization_endpoint, { client_id: info.client_id, scope: 'openid offline_access' });
  check(da.status === 200 && da.json.user_code && da.json.interval === 1, 'device authorization (interval 1 via DEVICE_INTERVAL)');
  const devP = run('device.mjs', [da.json.verification_uri, da.json.user_code]);
  let dt;
  for (let i = 0; i < 60; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    dt = await form(info.token_endpoint, { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: da.json.device_code, client_id: info.client_id });
    if (dt.json.error !== 'authorization_pending') break;
  }
  const dv = await devP;
  check(dv.code === 0 && dt.status === 200 && dt.json.refresh_token, `device flow gives tokens (${dv.ms} ms)`);

  const log = readFileSync(REQUEST_LOG, 'utf8').trim().split('\n');
  check(log.filter((l) => l === 'POST /token authorization_code').length === 1
    && log.filter((l) => l === 'POST /token refresh_token').length === 1, `REQUEST_LOG counts (${log.length} lines)`);
} catch (err) {
  check(false, `unexpected error: ${err.stack || err}`);
} finally {
  server.close();
  provider.stdin.end();
  rmSync(tmp, { recursive: true, force: true });
  clearTimeout(killer);
}
console.log(failures ? `${failures} check(s) FAILED` : 'all checks passed');
process.exit(failures ? 1 : 0);

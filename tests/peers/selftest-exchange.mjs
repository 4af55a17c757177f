#!/usr/bin/env node
// Self-test of the CI identity peers, without keyward: starts ci-issuer.mjs and provider.mjs
// (TOKEN_EXCHANGE=1, CLIENT_CREDENTIALS=1) and checks the GitHub-style ID token request, the
// RFC 8693 token exchange (good, expired, wrong audience, bad signature, wrong issuer, required
// audience, unreachable JWKS), the client credentials grant and the profile route. No browser, no fixed ports.
// Exit 0 when every check passes. Usage: node tests/peers/selftest-exchange.mjs

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const DIR = dirname(fileURLToPath(import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'keyward-peers-selftest-exchange-'));
const CI_LOG = join(tmp, 'ci.log');
const PROVIDER_LOG = join(tmp, 'provider.log');
const AUDIENCE = 'https://api.keyward.test';
const SECRET = 'service-secret-for-selftest';
const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ID_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:id_token';
let failures = 0;
const check = (ok, what) => { console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`); if (!ok) failures++; };

const killer = setTimeout(() => { console.log('FAIL selftest timed out'); process.exit(2); }, 60000);

async function start(script, env) {
  const child = spawn(process.execPath, [join(DIR, script)], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  const line = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (c) => reject(new Error(`${script} exited early (${c})`)));
  });
  return { child, info: JSON.parse(line) };
}

const form = async (url, body, headers = {}) => {
  const r = await fetch(url, { method: 'POST', body: new URLSearchParams(body), headers });
  return { status: r.status, json: await r.json().catch(() => ({})) };
};
const get = async (url, headers = {}) => {
  const r = await fetch(url, { headers });
  const text = await r.text();
  let json = {};
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: r.status, text, json };
};
// Flip one character in the middle of the signature (the last one may only carry padding bits).
function tamper(jwt) {
  const [h, p, s] = jwt.split('.');
  const i = Math.floor(s.length / 2);
  return `${h}.${p}.${s.slice(0, i)}${s[i] === 'A' ? 'B' : 'A'}${s.slice(i + 1)}`;
}

const t0 = Date.now();
let ci;
let provider;
let strict;
try {
  ci = await start('ci-issuer.mjs', { REQUEST_LOG: CI_LOG });
  provider = await start('provider.mjs', {
    REQUEST_LOG: PROVIDER_LOG,
    TOKEN_EXCHANGE: '1',
    CI_ISSUER: ci.info.issuer,
    CI_JWKS_URL: ci.info.jwks_uri,
    EXCHANGE_ID_TOKEN_AUDIENCE: AUDIENCE,
    EXCHANGE_TTL: '45',
    CLIENT_CREDENTIALS: '1',
    SERVICE_CLIENT_SECRET: SECRET,
    SERVICE_TOKEN_TTL: '30',
  });
  const ciInfo = ci.info;
  const info = provider.info;
  console.log(`ci-issuer + provider ready in ${Date.now() - t0} ms (${ciInfo.issuer}, ${info.issuer})`);
  const mint = async (q) => (await get(`${ciInfo.mint_url}?${new URLSearchParams(q)}`)).text;
  const exchange = (subjectToken, extra = {}) => form(info.token_endpoint, {
    grant_type: EXCHANGE, client_id: info.client_id,
    subject_token: subjectToken, subject_token_type: ID_TOKEN_TYPE, ...extra,
  });

  // --- the CI issuer ---
  const ciDisc = await get(`${ciInfo.issuer}/.well-known/openid-configuration`);
  check(ciDisc.json.issuer === ciInfo.issuer && ciDisc.json.jwks_uri === ciInfo.jwks_uri, 'CI discovery document');
  const jwks = await get(ciInfo.jwks_uri);
  const key = jwks.json.keys?.[0];
  check(key?.kty === 'RSA' && key.alg === 'RS256' && key.kid === ciInfo.kid && !key.d, 'CI JWKS: one public RS256 key with kid');

  const gh = await get(`${ciInfo.request_url}&audience=${encodeURIComponent(AUDIENCE)}`,
    { authorization: `bearer ${ciInfo.request_token}` });
  const ghToken = gh.json.value;
  const claims = ghToken ? JSON.parse(Buffer.from(ghToken.split('.')[1], 'base64url')) : {};
  const header = ghToken ? JSON.parse(Buffer.from(ghToken.split('.')[0], 'base64url')) : {};
  check(gh.status === 200 && header.alg === 'RS256' && header.kid === ciInfo.kid, 'GitHub-style request with the bearer gets an RS256 JWT');
  check(claims.iss === ciInfo.issuer && claims.aud === AUDIENCE && claims.sub === 'repo:acme/app:ref:refs/heads/main'
    && claims.repository === 'acme/app' && claims.repository_owner === 'acme' && claims.ref === 'refs/heads/main'
    && claims.exp - claims.iat === 300 && claims.nbf && claims.jti, 'ID token claims (iss, aud, sub, repository, ref, exp = iat + 300, nbf, jti)');
  const ghUpper = await get(ciInfo.request_url, { authorization: `Bearer ${ciInfo.request_token}` });
  const defAud = ghUpper.json.value && JSON.parse(Buffer.from(ghUpper.json.value.split('.')[1], 'base64url')).aud;
  check(ghUpper.status === 200 && defAud === 'https://github.com/acme', '"Bearer" scheme accepted; no audience gives https://github.com/acme');
  const ghBad = await get(`${ciInfo.request_url}&audience=x`, { authorization: 'bearer wrong' });
  const ghNone = await get(`${ciInfo.request_url}&audience=x`);
  check(ghBad.status === 401 && ghBad.json.message && !ghBad.json.value && ghNone.status === 401, 'wrong or missing bearer gets 401 JSON');

  // --- token exchange ---
  const disc = await get(`${info.issuer}/.well-known/openid-configuration`);
  check(disc.json.grant_types_supported?.includes(EXCHANGE) && disc.json.grant_types_supported.includes('client_credentials'),
    'provider discovery lists token-exchange and client_credentials');
  const ok = await exchange(ghToken);
  check(ok.status === 200 && ok.json.access_token && ok.json.token_type === 'Bearer' && ok.json.expires_in === 45
    && ok.json.issued_token_type === 'urn:ietf:params:oauth:token-type:access_token' && !ok.json.refresh_token,
  `exchange of a good ID token gives a 45 s access token, no refresh token (${JSON.stringify({ ...ok.json, access_token: '…' })})`);
  const me = await get(info.userinfo_endpoint, { authorization: `Bearer ${ok.json.access_token}` });
  check(me.status === 200 && me.json.sub === 'ci:repo:acme/app:ref:refs/heads/main' && me.json.name === 'CI acme/app',
    `/me accepts the exchanged token (${JSON.stringify(me.json)})`);
  const prof = await get(info.profile_endpoint, { authorization: `Bearer ${ok.json.access_token}` });
  check(prof.status === 200 && prof.json.sub === me.json.sub && prof.json.preferred_username === me.json.sub,
    'profile route accepts the exchanged token');
  const jwtType = await exchange(await mint({ aud: AUDIENCE }), { subject_token_type: 'urn:ietf:params:oauth:token-type:jwt' });
  check(jwtType.status === 200 && jwtType.json.access_token, 'subject_token_type jwt accepted too');

  const refusals = [
    ['expired', await mint({ aud: AUDIENCE, exp_in: '-30' }), 'subject_token expired'],
    ['wrong audience', await mint({ aud: 'https://elsewhere.test' }), 'subject_token audience mismatch'],
    ['bad signature', tamper(await mint({ aud: AUDIENCE })), 'subject_token signature invalid'],
    ['wrong issuer', await mint({ aud: AUDIENCE, iss: 'https://token.actions.githubusercontent.com' }), 'subject_token issuer mismatch'],
    ['not a JWT', 'not-a-jwt', 'subject_token is not a valid JWT'],
  ];
  for (const [what, token, description] of refusals) {
    const r = await exchange(token);
    check(r.status === 400 && r.json.error === 'invalid_grant' && r.json.error_description === description
      && !JSON.stringify(r.json).includes(token),
    `${what} subject token: invalid_grant "${r.json.error_description}"`);
  }
  const badType = await exchange(ghToken, { subject_token_type: 'urn:ietf:params:oauth:token-type:access_token' });
  check(badType.status === 400 && badType.json.error === 'invalid_request' && badType.json.error_description === 'unsupported subject_token_type',
    'other subject_token_type: invalid_request');
  const withAud = await exchange(ghToken, { audience: 'https://api.example.test', resource: 'https://api.example.test/v1' });
  check(withAud.status === 200, 'RFC 8693 audience/resource accepted (not required by default)');

  const badMe = await get(info.profile_endpoint, { authorization: 'Bearer nope' });
  const noMe = await get(info.profile_endpoint);
  check(badMe.status === 401 && noMe.status === 401 && badMe.json.error === 'invalid_token', 'profile route: 401 without a valid token');

  // --- client credentials ---
  const cc = await form(info.token_endpoint, { grant_type: 'client_credentials', client_id: info.service_client_id, client_secret: SECRET });
  check(cc.status === 200 && cc.json.access_token && cc.json.expires_in === 30 && cc.json.token_type === 'Bearer' && !cc.json.refresh_token,
    'client_credentials (client_secret_post) gives a 30 s token');
  const ccProf = await get(info.profile_endpoint, { authorization: `Bearer ${cc.json.access_token}` });
  check(ccProf.status === 200 && ccProf.json.sub === 'keyward-service' && ccProf.json.name === 'service keyward-service',
    `profile route accepts the client credentials token (${JSON.stringify(ccProf.json)})`);
  const ccMe = await get(info.userinfo_endpoint, { authorization: `Bearer ${cc.json.access_token}` });
  check(ccMe.status === 401, '/me refuses the client credentials token (as oidc-provider does)');
  const basic = Buffer.from(`${info.service_client_id}:${SECRET}`).toString('base64');
  const ccBasic = await form(info.token_endpoint, { grant_type: 'client_credentials' }, { authorization: `Basic ${basic}` });
  check(ccBasic.status === 200 && ccBasic.json.access_token, 'client_credentials with client_secret_basic');
  const ccBad = await form(info.token_endpoint, { grant_type: 'client_credentials', client_id: info.service_client_id, client_secret: 'wrong' });
  check(ccBad.status === 401 && ccBad.json.error === 'invalid_client', `wrong secret: invalid_client (${ccBad.status})`);
  const ccPublic = await form(info.token_endpoint, { grant_type: 'client_credentials', client_id: info.client_id });
  check(ccPublic.status === 400 && ccPublic.json.error === 'invalid_request', 'the public client may not use client_credentials');

  // --- a second provider: EXCHANGE_REQUIRE_AUDIENCE, and the CI issuer's keys unreachable ---
  strict = await start('provider.mjs', {
    TOKEN_EXCHANGE: '1',
    CI_ISSUER: ciInfo.issuer,
    CI_JWKS_URL: 'http://127.0.0.1:9/jwks', // discard port: connection refused
    EXCHANGE_ID_TOKEN_AUDIENCE: AUDIENCE,
    EXCHANGE_REQUIRE_AUDIENCE: 'https://api.keyward.test/exchange',
  });
  const strictExchange = (extra) => form(strict.info.token_endpoint, {
    grant_type: EXCHANGE, client_id: strict.info.client_id,
    subject_token: ghToken, subject_token_type: ID_TOKEN_TYPE, ...extra,
  });
  const noAud = await strictExchange({});
  const wrongAud = await strictExchange({ audience: 'https://other.test' });
  check(noAud.status === 400 && noAud.json.error === 'invalid_target' && wrongAud.json.error === 'invalid_target'
    && noAud.json.error_description === 'audience must be https://api.keyward.test/exchange',
  `EXCHANGE_REQUIRE_AUDIENCE: missing or other audience gets invalid_target "${noAud.json.error_description}"`);
  const noKeys = await strictExchange({ audience: 'https://api.keyward.test/exchange' });
  check(noKeys.status === 400 && noKeys.json.error === 'invalid_grant'
    && noKeys.json.error_description === 'subject_token issuer keys unavailable',
  `JWKS unreachable: invalid_grant "${noKeys.json.error_description}"`);

  // --- logs: counts, and never a token ---
  const ciLog = readFileSync(CI_LOG, 'utf8').trim().split('\n');
  const pLog = readFileSync(PROVIDER_LOG, 'utf8').trim().split('\n');
  check(ciLog.includes(`GET /_apis/idtoken bearer=ok audience=${AUDIENCE}`) && ciLog.includes('GET /_apis/idtoken bearer=bad audience=x')
    && ciLog.includes('GET /_apis/idtoken bearer=none audience=x') && ciLog.includes('GET /_apis/idtoken bearer=ok audience=-'),
  `CI REQUEST_LOG lines (${ciLog.length})`);
  check(pLog.filter((l) => l === `POST /token ${EXCHANGE}`).length === 9
    && pLog.includes('exchange audience=https://api.example.test resource=https://api.example.test/v1')
    && pLog.filter((l) => l === 'POST /token client_credentials').length === 4,
  `provider REQUEST_LOG counts (${pLog.length} lines)`);
  const secrets = [ciInfo.request_token, ghToken, ok.json.access_token, cc.json.access_token, SECRET];
  check(!secrets.some((s) => s && (ciLog.join('\n').includes(s) || pLog.join('\n').includes(s))), 'no token or secret in either log');
} catch (err) {
  check(false, `unexpected error: ${err.stack || err}`);
} finally {
  provider?.child.stdin.end();
  strict?.child.stdin.end();
  ci?.child.stdin.end();
  rmSync(tmp, { recursive: true, force: true });
  clearTimeout(killer);
}
console.log(`${failures ? `${failures} check(s) FAILED` : 'all checks passed'} in ${Date.now() - t0} ms`);
process.exit(failures ? 1 : 0);

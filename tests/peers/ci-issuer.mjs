// A CI OpenID issuer for keyward's federated-login tests: it plays GitHub Actions (the ID token
// request endpoint behind ACTIONS_ID_TOKEN_REQUEST_URL) and mints RS256 ID tokens for the
// other CI paths (GitLab / CircleCI env vars, Kubernetes token files). Independent of
// provider.mjs: its own RSA key, its own issuer URL, discovery and JWKS.
//
// Listens on 127.0.0.1 only. Prints exactly one JSON line on stdout once it is ready:
//   {"issuer":"http://127.0.0.1:P","jwks_uri":".../jwks","request_url":".../_apis/idtoken?api-version=2.0",
//    "request_token":"<random>","mint_url":".../mint","port":P,"pid":N}
// Nothing else is ever written to stdout. See README.md for the env vars and endpoints.

import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { appendFileSync, fstatSync } from 'node:fs';
import { createServer } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

const VERBOSE = process.env.CI_ISSUER_VERBOSE === '1';
process.stdout.on('error', () => {}); // the reader may close our stdout after the first line

function fail(message) {
  process.stderr.write(`ci-issuer.mjs: ${message}\n`);
  process.exit(1);
}

function intEnv(name, def, { min = 1 } = {}) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) fail(`${name} must be an integer >= ${min}, got ${JSON.stringify(raw)}`);
  return n;
}

const PORT = intEnv('PORT', 0, { min: 0 });
const ID_TOKEN_TTL = intEnv('ID_TOKEN_TTL', 300);
const REQUEST_LOG = process.env.REQUEST_LOG || '';
const REQUEST_TOKEN = randomBytes(24).toString('base64url');
const DEFAULT_AUDIENCE = 'https://github.com/acme'; // GitHub: the repository owner's URL
const REPOSITORY = 'acme/app';
const REF = 'refs/heads/main';
const DEFAULT_SUB = `repo:${REPOSITORY}:ref:${REF}`;

// ---- shutdown: signals, and the parent going away (stdin EOF), as provider.mjs -------------
let server;
function shutdown(why) {
  if (VERBOSE) process.stderr.write(`ci-issuer.mjs: exiting (${why})\n`);
  try { server?.close(); server?.closeAllConnections?.(); } catch { /* ignore */ }
  process.exit(0);
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGHUP', () => shutdown('SIGHUP'));
function stdinIsPipe() {
  try {
    const st = fstatSync(0);
    return st.isFIFO() || st.isSocket();
  } catch {
    return false;
  }
}
if (process.env.IGNORE_STDIN !== '1' && stdinIsPipe()) {
  process.stdin.on('end', () => shutdown('stdin end'));
  process.stdin.on('close', () => shutdown('stdin close'));
  process.stdin.on('error', () => shutdown('stdin error'));
  process.stdin.on('data', () => {});
  process.stdin.resume();
}

// ---- keys ----------------------------------------------------------------------------------
const KID = `ci-${randomBytes(6).toString('hex')}`;
const { publicKey, privateKey } = await generateKeyPair('RS256', { modulusLength: 2048 });
const publicJwk = { ...(await exportJWK(publicKey)), kid: KID, alg: 'RS256', use: 'sig' };

// ---- helpers -------------------------------------------------------------------------------
const safe = (v) => (v === null || v === undefined ? '-' : String(v).replace(/[^\x21-\x7e]/g, '?'));

function logLine(line) {
  if (!REQUEST_LOG) return;
  try {
    appendFileSync(REQUEST_LOG, `${line}\n`); // one write(2) per line, O_APPEND
  } catch (err) {
    process.stderr.write(`ci-issuer.mjs: cannot write REQUEST_LOG: ${err.message}\n`);
  }
}

function send(res, status, body, type = 'application/json') {
  const text = type === 'application/json' ? JSON.stringify(body) : String(body);
  res.writeHead(status, {
    'content-type': `${type}; charset=utf-8`,
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

// `none` without an Authorization header; `ok` for `bearer <REQUEST_TOKEN>` (any case of the
// scheme); `bad` for anything else.
function bearerState(header) {
  if (header === undefined) return 'none';
  const m = /^bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  if (!m) return 'bad';
  const a = Buffer.from(m[1]);
  const b = Buffer.from(REQUEST_TOKEN);
  return a.length === b.length && timingSafeEqual(a, b) ? 'ok' : 'bad';
}

async function mint(issuer, { aud, sub = DEFAULT_SUB, expIn = ID_TOKEN_TTL, iss = issuer }) {
  const now = Math.floor(Date.now() / 1000);
  // Back-dated iat/nbf for an already expired token, so only `exp` is wrong with it.
  const iat = Math.min(now, now + expIn - 60);
  return new SignJWT({
    repository: REPOSITORY,
    repository_owner: 'acme',
    ref: REF,
    ref_type: 'branch',
    workflow: 'ci',
    actor: 'octocat',
    jti: randomUUID(),
  })
    .setProtectedHeader({ alg: 'RS256', kid: KID, typ: 'JWT' })
    .setIssuer(iss)
    .setAudience(aud)
    .setSubject(sub)
    .setIssuedAt(iat)
    .setNotBefore(iat)
    .setExpirationTime(now + expIn)
    .sign(privateKey);
}

// ---- server --------------------------------------------------------------------------------
server = createServer();
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(PORT, '127.0.0.1', resolve);
}).catch((err) => fail(`cannot listen on 127.0.0.1:${PORT}: ${err.message}`));
const port = server.address().port;
const issuer = `http://127.0.0.1:${port}`;

server.on('request', async (req, res) => {
  const url = new URL(req.url, issuer);
  const bearer = bearerState(req.headers.authorization);
  const audience = url.searchParams.get(url.pathname === '/mint' ? 'aud' : 'audience');
  logLine(`${req.method} ${url.pathname} bearer=${bearer} audience=${safe(audience)}`);
  try {
    if (req.method !== 'GET') {
      send(res, 405, { message: 'method not allowed' });
    } else if (url.pathname === '/.well-known/openid-configuration') {
      send(res, 200, {
        issuer,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['id_token'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        claims_supported: ['sub', 'aud', 'exp', 'iat', 'iss', 'jti', 'nbf', 'ref', 'repository',
          'repository_owner', 'ref_type', 'workflow', 'actor'],
      });
    } else if (url.pathname === '/jwks') {
      send(res, 200, { keys: [publicJwk] });
    } else if (url.pathname === '/_apis/idtoken') {
      if (bearer !== 'ok') {
        send(res, 401, { message: bearer === 'none' ? 'missing bearer token' : 'bad bearer token' });
        return;
      }
      const value = await mint(issuer, { aud: audience || DEFAULT_AUDIENCE });
      send(res, 200, { value });
    } else if (url.pathname === '/mint') {
      const q = url.searchParams;
      const expIn = q.has('exp_in') ? Number(q.get('exp_in')) : ID_TOKEN_TTL;
      if (!Number.isInteger(expIn)) {
        send(res, 400, { message: 'exp_in must be an integer' });
        return;
      }
      const jwt = await mint(issuer, {
        aud: audience || DEFAULT_AUDIENCE,
        sub: q.get('sub') || DEFAULT_SUB,
        iss: q.get('iss') || issuer,
        expIn,
      });
      send(res, 200, jwt, 'text/plain');
    } else {
      send(res, 404, { message: 'not found' });
    }
  } catch (err) {
    process.stderr.write(`ci-issuer.mjs: ${err.stack || err}\n`);
    if (!res.headersSent) send(res, 500, { message: 'internal error' });
  }
});

const ready = {
  issuer,
  port,
  jwks_uri: `${issuer}/jwks`,
  request_url: `${issuer}/_apis/idtoken?api-version=2.0`,
  request_token: REQUEST_TOKEN,
  mint_url: `${issuer}/mint`,
  default_audience: DEFAULT_AUDIENCE,
  sub: DEFAULT_SUB,
  kid: KID,
  pid: process.pid,
};
process.stdout.write(`${JSON.stringify(ready)}\n`);

// A real OpenID Connect provider (oidc-provider 9.x) for keyward's integration tests.
//
// Listens on 127.0.0.1 only. Prints exactly one JSON line on stdout once it is ready:
//   {"issuer":"http://127.0.0.1:PORT","port":PORT,"pat":"<opaque access token>","client_id":"keyward-cli",...}
// Nothing else is ever written to stdout. See README.md for the env vars.

import { randomBytes } from 'node:crypto';
import { appendFileSync, fstatSync } from 'node:fs';
import { createServer } from 'node:http';

// oidc-provider prints NOTICE (console.info) and WARNING (console.warn) lines about its
// development defaults. Keep stdout for our single JSON line and keep stderr quiet unless
// PROVIDER_VERBOSE=1 (a child whose stderr is piped but never read must not fill the pipe).
const VERBOSE = process.env.PROVIDER_VERBOSE === '1';
const toStderr = (...args) => { if (VERBOSE) console.error(...args); };
console.log = toStderr;
console.info = toStderr;
console.warn = toStderr;
console.debug = toStderr;
process.stdout.on('error', () => {}); // the reader may close our stdout after the first line

function fail(message) {
  process.stderr.write(`provider.mjs: ${message}\n`);
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
const ACCESS_TOKEN_TTL = intEnv('ACCESS_TOKEN_TTL', 3600);
const REFRESH_TOKEN_TTL = intEnv('REFRESH_TOKEN_TTL', 86400);
const DEVICE_CODE_TTL = intEnv('DEVICE_CODE_TTL', 600);
const PAT_TTL = intEnv('PAT_TTL', 10 * 365 * 24 * 3600);
const TOKEN_DELAY_MS = intEnv('TOKEN_DELAY_MS', 0, { min: 0 });
const DEVICE_INTERVAL = intEnv('DEVICE_INTERVAL', 0, { min: 0 }); // 0 = omit `interval`
const CLIENT_ID = process.env.CLIENT_ID || 'keyward-cli';
const REQUEST_LOG = process.env.REQUEST_LOG || '';
const REQUEST_LOG_ALL = process.env.REQUEST_LOG_ALL === '1';
// Dynamic client registration (RFC 7591), open to anyone, when REGISTRATION=1.
const REGISTRATION = process.env.REGISTRATION === '1';
const PAT_ACCOUNT = 'pat-user';

const REDIRECT_URIS = [8765, 8766, 8767, 8768, 8769].map((p) => `http://127.0.0.1:${p}/callback`);

const ROUTES = {
  authorization: '/auth',
  token: '/token',
  userinfo: '/me',
  jwks: '/jwks',
  device_authorization: '/device/auth',
  code_verification: '/device',
  revocation: '/token/revocation',
  introspection: '/token/introspection',
  end_session: '/session/end',
  registration: '/reg',
};

// ---- shutdown: signals, and the parent going away (stdin EOF) -----------------------------
let server;
function shutdown(why) {
  if (VERBOSE) process.stderr.write(`provider.mjs: exiting (${why})\n`);
  try { server?.close(); server?.closeAllConnections?.(); } catch { /* ignore */ }
  process.exit(0);
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGHUP', () => shutdown('SIGHUP'));
// Only a pipe/socket stdin means "a parent holds the other end": with /dev/null, a file or a
// terminal there is nothing to watch (it would read EOF at once and exit before being ready).
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
  process.stdin.on('data', () => {}); // discard anything written to us
  process.stdin.resume();
}

// ---- listen first, so that PORT=0 gives us the real issuer --------------------------------
server = createServer((req, res) => { res.statusCode = 503; res.end('starting\n'); });
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(PORT, '127.0.0.1', resolve);
}).catch((err) => fail(`cannot listen on 127.0.0.1:${PORT}: ${err.message}`));
const port = server.address().port;
const issuer = `http://127.0.0.1:${port}`;

const { default: Provider } = await import('oidc-provider');

function displayName(login) {
  return `Test User ${login}`;
}

const configuration = {
  clients: [{
    client_id: CLIENT_ID,
    client_name: 'keyward CLI (test)',
    // 'web' = exact redirect_uri matching: only the five URIs below are accepted.
    // ('native' would accept any port on the loopback host, RFC 8252 section 7.3.)
    application_type: 'web',
    token_endpoint_auth_method: 'none',
    redirect_uris: REDIRECT_URIS,
    response_types: ['code'],
    grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
  }],
  routes: ROUTES,
  scopes: ['openid', 'profile', 'email', 'offline_access'],
  claims: {
    openid: ['sub'],
    profile: ['name', 'preferred_username'],
    email: ['email', 'email_verified'],
  },
  async findAccount(_ctx, sub) {
    return {
      accountId: sub,
      async claims() {
        return {
          sub,
          name: displayName(sub),
          preferred_username: sub,
          email: `${sub}@example.test`,
          email_verified: true,
        };
      },
    };
  },
  features: {
    devInteractions: { enabled: true },
    deviceFlow: { enabled: true },
    revocation: { enabled: true },
    introspection: { enabled: true },
    userinfo: { enabled: true },
    registration: { enabled: REGISTRATION },
  },
  pkce: { required: () => true }, // oidc-provider 9 only supports S256
  async issueRefreshToken(_ctx, client, code) {
    // Public clients too: whenever the grant source carries offline_access.
    return client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access');
  },
  ttl: {
    AccessToken: ACCESS_TOKEN_TTL,
    AuthorizationCode: 60,
    DeviceCode: DEVICE_CODE_TTL,
    RefreshToken: (ctx, token, client) => {
      // Keep oidc-provider's rule: a rotated refresh token of a public 'web' client keeps the
      // remaining lifetime of the one it replaces (no sliding expiry).
      if (ctx?.oidc?.entities.RotatedRefreshToken && client.applicationType === 'web'
          && client.clientAuthMethod === 'none' && !token.isSenderConstrained()) {
        return ctx.oidc.entities.RotatedRefreshToken.remainingTTL;
      }
      return REFRESH_TOKEN_TTL;
    },
    IdToken: 3600,
    Interaction: 3600,
    Session: 14 * 24 * 3600,
    Grant: Math.max(PAT_TTL, REFRESH_TOKEN_TTL, 14 * 24 * 3600),
    ClientCredentials: 600,
    BackchannelAuthenticationRequest: 600,
    PreAuthorizedCode: 600,
  },
  clockTolerance: 0,
  cookies: { keys: [randomBytes(32).toString('hex')] },
  renderError(ctx, out) {
    // Plain, deterministic error page (the default one imports web fonts).
    ctx.type = 'html';
    const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
    ctx.body = `<!DOCTYPE html><html><head><title>oops! something went wrong</title></head><body>`
      + `<h1>oops! something went wrong</h1>${Object.entries(out).map(([k, v]) => `<pre><strong>${esc(k)}</strong>: ${esc(v)}</pre>`).join('')}</body></html>`;
  },
};

let provider;
try {
  provider = new Provider(issuer, configuration);
} catch (err) {
  fail(`bad configuration: ${err.stack || err}`);
}

provider.on('server_error', (_ctx, err) => {
  process.stderr.write(`provider.mjs: server_error: ${err.stack || err}\n`);
});

// ---- request log + artificial token endpoint delay -----------------------------------------
async function readRawBody(req, limit = 56 * 1024) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > limit) throw new Error('request entity too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

function logLine(line) {
  if (!REQUEST_LOG) return;
  try {
    appendFileSync(REQUEST_LOG, `${line}\n`); // one write(2) per line, O_APPEND
  } catch (err) {
    process.stderr.write(`provider.mjs: cannot write REQUEST_LOG: ${err.message}\n`);
  }
}

provider.use(async (ctx, next) => {
  if (ctx.path === ROUTES.token) {
    let grantType = '-';
    if (ctx.method === 'POST' && ctx.is('application/x-www-form-urlencoded') && ctx.req.readable) {
      // Read the form ourselves to learn grant_type, then hand the raw body to
      // oidc-provider (it accepts an upstream-parsed body in ctx.request.body).
      const raw = await readRawBody(ctx.req);
      ctx.request.body = raw;
      const gt = new URLSearchParams(raw.toString('utf8')).get('grant_type');
      if (gt) grantType = gt.replace(/[^\x21-\x7e]/g, '?');
    }
    logLine(`${ctx.method} ${ctx.path} ${grantType}`); // never the body: it holds codes/tokens
    if (TOKEN_DELAY_MS > 0) await new Promise((r) => setTimeout(r, TOKEN_DELAY_MS));
  } else if (ctx.path === ROUTES.authorization && ctx.method === 'GET') {
    // The account-choice parameters only (no state, no challenge): tests
    // check that prompt and login_hint reach the provider.
    const q = new URLSearchParams(ctx.querystring);
    const safe = (v) => (v === null ? '-' : v.replace(/[^\x20-\x7e]/g, '?'));
    logLine(`${ctx.method} ${ctx.path} prompt=${safe(q.get('prompt'))} login_hint=${safe(q.get('login_hint'))}`);
  } else if (REQUEST_LOG_ALL) {
    logLine(`${ctx.method} ${ctx.path}`); // path only: query strings carry codes and state
  }

  await next();

  if (DEVICE_INTERVAL > 0 && ctx.path === ROUTES.device_authorization && ctx.status === 200
      && ctx.body && typeof ctx.body === 'object' && ctx.body.device_code) {
    ctx.body = { ...ctx.body, interval: DEVICE_INTERVAL };
  }
});

// ---- the "personal access token" ------------------------------------------------------------
let pat;
try {
  const client = await provider.Client.find(CLIENT_ID);
  const grant = new provider.Grant({ accountId: PAT_ACCOUNT, clientId: CLIENT_ID });
  grant.addOIDCScope('openid profile email');
  const grantId = await grant.save(PAT_TTL);
  const token = new provider.AccessToken({
    accountId: PAT_ACCOUNT,
    client,
    grantId,
    gty: 'personal_access_token',
    scope: 'openid profile email',
    expiresIn: PAT_TTL,
  });
  pat = await token.save();
} catch (err) {
  fail(`cannot create the personal access token: ${err.stack || err}`);
}

server.removeAllListeners('request');
server.on('request', provider.callback());

const ready = {
  issuer,
  port,
  pat,
  pat_account: PAT_ACCOUNT,
  client_id: CLIENT_ID,
  redirect_uris: REDIRECT_URIS,
  authorization_endpoint: `${issuer}${ROUTES.authorization}`,
  token_endpoint: `${issuer}${ROUTES.token}`,
  userinfo_endpoint: `${issuer}${ROUTES.userinfo}`,
  device_authorization_endpoint: `${issuer}${ROUTES.device_authorization}`,
  revocation_endpoint: `${issuer}${ROUTES.revocation}`,
  introspection_endpoint: `${issuer}${ROUTES.introspection}`,
  pid: process.pid,
};
process.stdout.write(`${JSON.stringify(ready)}\n`);

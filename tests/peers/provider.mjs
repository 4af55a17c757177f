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

// RFC 8693 token exchange of a CI ID token (from ci-issuer.mjs), when TOKEN_EXCHANGE=1.
const TOKEN_EXCHANGE = process.env.TOKEN_EXCHANGE === '1';
const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
const CI_ISSUER = process.env.CI_ISSUER || '';
const CI_JWKS_URL = process.env.CI_JWKS_URL || '';
const EXCHANGE_ID_TOKEN_AUDIENCE = process.env.EXCHANGE_ID_TOKEN_AUDIENCE || '';
const EXCHANGE_TTL = intEnv('EXCHANGE_TTL', 60);
const EXCHANGE_REQUIRE_AUDIENCE = process.env.EXCHANGE_REQUIRE_AUDIENCE || '';
const EXCHANGE_REQUIRE_RESOURCE = process.env.EXCHANGE_REQUIRE_RESOURCE || '';
if (TOKEN_EXCHANGE && !(CI_ISSUER && CI_JWKS_URL && EXCHANGE_ID_TOKEN_AUDIENCE)) {
  fail('TOKEN_EXCHANGE=1 needs CI_ISSUER, CI_JWKS_URL and EXCHANGE_ID_TOKEN_AUDIENCE');
}
// A confidential service client with the client credentials grant, when CLIENT_CREDENTIALS=1.
const CLIENT_CREDENTIALS = process.env.CLIENT_CREDENTIALS === '1';
const SERVICE_CLIENT_ID = process.env.SERVICE_CLIENT_ID || 'keyward-service';
const SERVICE_CLIENT_SECRET = process.env.SERVICE_CLIENT_SECRET || '';
const SERVICE_TOKEN_TTL = intEnv('SERVICE_TOKEN_TTL', 60);
if (CLIENT_CREDENTIALS && !SERVICE_CLIENT_SECRET) fail('CLIENT_CREDENTIALS=1 needs SERVICE_CLIENT_SECRET');
// Bearer-protected profile for both kinds of token (oidc-provider's /me refuses client
// credentials tokens): served whenever either option is on.
const PROFILE_PATH = '/api/v1/profile';
const PROFILE = TOKEN_EXCHANGE || CLIENT_CREDENTIALS;

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

const { default: Provider, errors } = await import('oidc-provider');
const jose = await import('jose');

function displayName(login) {
  return `Test User ${login}`;
}

// `ci:<sub>` accounts come from a token exchange: named after the CI token's `repository`
// when the sub is GitHub-style (`repo:<owner>/<name>:...`), else after the sub.
function accountClaims(sub) {
  if (sub.startsWith('ci:')) {
    const ciSub = sub.slice(3);
    const repo = /^repo:([^:]+):/.exec(ciSub)?.[1] ?? ciSub;
    return { sub, name: `CI ${repo}`, preferred_username: sub };
  }
  return {
    sub,
    name: displayName(sub),
    preferred_username: sub,
    email: `${sub}@example.test`,
    email_verified: true,
  };
}

const publicClient = {
  client_id: CLIENT_ID,
  client_name: 'keyward CLI (test)',
  // 'web' = exact redirect_uri matching: only the five URIs below are accepted.
  // ('native' would accept any port on the loopback host, RFC 8252 section 7.3.)
  application_type: 'web',
  token_endpoint_auth_method: 'none',
  redirect_uris: REDIRECT_URIS,
  response_types: ['code'],
  grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code',
    ...(TOKEN_EXCHANGE ? [TOKEN_EXCHANGE_GRANT] : [])],
};
const serviceClient = {
  client_id: SERVICE_CLIENT_ID,
  client_secret: SERVICE_CLIENT_SECRET,
  client_name: 'keyward service account (test)',
  // oidc-provider accepts client_secret_basic too for a client_secret_post client.
  token_endpoint_auth_method: 'client_secret_post',
  redirect_uris: [],
  response_types: [],
  grant_types: ['client_credentials'],
};

const configuration = {
  clients: [publicClient, ...(CLIENT_CREDENTIALS ? [serviceClient] : [])],
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
        return accountClaims(sub);
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
    clientCredentials: { enabled: CLIENT_CREDENTIALS },
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
    ClientCredentials: SERVICE_TOKEN_TTL,
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

// ---- RFC 8693 token exchange of a CI ID token ---------------------------------------------
const SUBJECT_TOKEN_TYPES = new Set([
  'urn:ietf:params:oauth:token-type:id_token',
  'urn:ietf:params:oauth:token-type:jwt',
]);
const ciJwks = TOKEN_EXCHANGE ? jose.createRemoteJWKSet(new URL(CI_JWKS_URL), { cooldownDuration: 0 }) : null;
const invalidGrant = (description) => new errors.CustomOIDCProviderError('invalid_grant', description);

// Why jose refused a subject token, as an error_description (never the token itself).
function subjectTokenProblem(err) {
  switch (err?.code) {
    case 'ERR_JWT_EXPIRED': return 'subject_token expired';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      switch (err.claim) {
        case 'aud': return 'subject_token audience mismatch';
        case 'iss': return 'subject_token issuer mismatch';
        case 'nbf': return 'subject_token not yet valid';
        case 'iat': return 'subject_token issued in the future';
        default: return `subject_token claim ${err.claim} invalid`;
      }
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return 'subject_token signature invalid';
    case 'ERR_JOSE_ALG_NOT_ALLOWED': return 'subject_token algorithm not allowed';
    case 'ERR_JWKS_TIMEOUT':
    case 'ERR_JWKS_INVALID':
      return 'subject_token issuer keys unavailable';
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID':
      return 'subject_token is not a valid JWT';
    default:
      // fetch() failures of the JWKS (CI issuer gone) and anything else.
      return err?.name === 'TypeError' ? 'subject_token issuer keys unavailable' : 'subject_token invalid';
  }
}

const listOf = (v) => (v === undefined ? [] : [].concat(v));

async function tokenExchangeHandler(ctx) {
  const { params, client } = ctx.oidc;
  if (!params.subject_token) throw new errors.InvalidRequest("missing required parameter 'subject_token'");
  if (!params.subject_token_type) throw new errors.InvalidRequest("missing required parameter 'subject_token_type'");
  if (!SUBJECT_TOKEN_TYPES.has(params.subject_token_type)) {
    throw new errors.InvalidRequest('unsupported subject_token_type');
  }

  const audiences = listOf(params.audience);
  const resources = listOf(params.resource);
  if (audiences.length || resources.length) {
    const show = (l) => (l.length ? l.map((v) => v.replace(/[^\x21-\x7e]/g, '?')).join(',') : '-');
    logLine(`exchange audience=${show(audiences)} resource=${show(resources)}`);
  }
  if (EXCHANGE_REQUIRE_AUDIENCE && !(audiences.length === 1 && audiences[0] === EXCHANGE_REQUIRE_AUDIENCE)) {
    throw new errors.InvalidTarget(`audience must be ${EXCHANGE_REQUIRE_AUDIENCE}`);
  }
  if (EXCHANGE_REQUIRE_RESOURCE && !(resources.length === 1 && resources[0] === EXCHANGE_REQUIRE_RESOURCE)) {
    throw new errors.InvalidTarget(`resource must be ${EXCHANGE_REQUIRE_RESOURCE}`);
  }

  let payload;
  try {
    ({ payload } = await jose.jwtVerify(params.subject_token, ciJwks, {
      issuer: CI_ISSUER,
      audience: EXCHANGE_ID_TOKEN_AUDIENCE,
      algorithms: ['RS256'],
      requiredClaims: ['sub', 'exp'],
    }));
  } catch (err) {
    throw invalidGrant(subjectTokenProblem(err));
  }

  const accountId = `ci:${payload.sub}`;
  const scope = 'openid profile';
  const grant = new provider.Grant({ accountId, clientId: client.clientId });
  grant.addOIDCScope(scope);
  const grantId = await grant.save(EXCHANGE_TTL);
  const token = new provider.AccessToken({
    accountId,
    client,
    grantId,
    gty: 'token_exchange',
    scope,
    expiresIn: EXCHANGE_TTL,
  });
  ctx.oidc.entity('AccessToken', token);
  const accessToken = await token.save();
  ctx.body = {
    access_token: accessToken,
    issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    token_type: 'Bearer',
    expires_in: token.expiration,
    scope,
  };
}

if (TOKEN_EXCHANGE) {
  provider.registerGrantType(
    TOKEN_EXCHANGE_GRANT,
    tokenExchangeHandler,
    ['subject_token', 'subject_token_type', 'audience', 'resource', 'scope',
      'requested_token_type', 'actor_token', 'actor_token_type'],
    ['audience', 'resource'], // RFC 8693: both may repeat
  );
}

// ---- profile route for access tokens and client credentials tokens -------------------------
async function profileFor(tokenValue) {
  const at = await provider.AccessToken.find(tokenValue);
  if (at && at.accountId) return accountClaims(at.accountId);
  if (CLIENT_CREDENTIALS) {
    const cc = await provider.ClientCredentials.find(tokenValue);
    if (cc && cc.clientId) return { sub: cc.clientId, name: `service ${cc.clientId}` };
  }
  return null;
}

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
  if (PROFILE && ctx.path === PROFILE_PATH) {
    logLine(`${ctx.method} ${ctx.path}`);
    ctx.set('cache-control', 'no-store');
    if (ctx.method !== 'GET') {
      ctx.status = 405;
      ctx.body = { error: 'method_not_allowed' };
      return;
    }
    const m = /^bearer[ \t]+(\S+)[ \t]*$/i.exec(ctx.get('authorization'));
    const profile = m ? await profileFor(m[1]) : null;
    if (!profile) {
      ctx.status = 401;
      ctx.set('www-authenticate', `Bearer realm="${issuer}", error="invalid_token"`);
      ctx.body = { error: 'invalid_token', error_description: 'invalid token provided' };
      return;
    }
    ctx.body = profile;
    return;
  }
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
  ...(PROFILE ? { profile_endpoint: `${issuer}${PROFILE_PATH}` } : {}),
  ...(TOKEN_EXCHANGE ? { token_exchange_grant: TOKEN_EXCHANGE_GRANT } : {}),
  ...(CLIENT_CREDENTIALS ? { service_client_id: SERVICE_CLIENT_ID } : {}),
  pid: process.pid,
};
process.stdout.write(`${JSON.stringify(ready)}\n`);

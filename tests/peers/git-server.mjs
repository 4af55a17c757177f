// A git server over HTTP for tests: `git http-backend` (CGI) behind a
// loopback server that requires Basic authentication, as git hosts do.
//
// The password is checked by the API it is a token for: GET CHECK_URL with
// `Authorization: Bearer <password>` must answer 2xx (a userinfo or
// profile endpoint), else 401 with `WWW-Authenticate: Basic`.
//
// Environment: GIT_PROJECT_ROOT (directory of bare repositories),
// CHECK_URL, AUTH_LOG (optional: one line per request, "<user> ok|denied|none",
// never the password). Prints {"url":"http://127.0.0.1:PORT"} when ready.

import { createServer } from 'node:http';
import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';

const ROOT = process.env.GIT_PROJECT_ROOT;
const CHECK_URL = process.env.CHECK_URL;
const AUTH_LOG = process.env.AUTH_LOG || '';
if (!ROOT || !CHECK_URL) {
  process.stderr.write('git-server.mjs: set GIT_PROJECT_ROOT and CHECK_URL\n');
  process.exit(2);
}

function log(line) {
  if (AUTH_LOG) appendFileSync(AUTH_LOG, `${line}\n`);
}

async function authorized(header) {
  const m = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header || '');
  if (!m) return { user: '-', ok: false, why: 'none' };
  const text = Buffer.from(m[1], 'base64').toString('utf8');
  const i = text.indexOf(':');
  const user = i < 0 ? text : text.slice(0, i);
  const password = i < 0 ? '' : text.slice(i + 1);
  const safeUser = user.replace(/[^\x21-\x7e]/g, '?');
  try {
    const r = await fetch(CHECK_URL, { headers: { Authorization: `Bearer ${password}` } });
    return { user: safeUser, ok: r.ok, why: r.ok ? 'ok' : 'denied' };
  } catch (err) {
    process.stderr.write(`git-server.mjs: CHECK_URL failed: ${err.message}\n`);
    return { user: safeUser, ok: false, why: 'denied' };
  }
}

function cgi(req, res, user) {
  const url = new URL(req.url, 'http://localhost');
  const env = {
    PATH: process.env.PATH,
    GIT_PROJECT_ROOT: ROOT,
    GIT_HTTP_EXPORT_ALL: '1',
    REQUEST_METHOD: req.method,
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.replace(/^\?/, ''),
    CONTENT_TYPE: req.headers['content-type'] || '',
    REMOTE_USER: user,
    REMOTE_ADDR: '127.0.0.1',
    GATEWAY_INTERFACE: 'CGI/1.1',
    SERVER_PROTOCOL: 'HTTP/1.1',
  };
  if (req.headers['content-length']) env.CONTENT_LENGTH = req.headers['content-length'];
  if (req.headers['content-encoding']) env.HTTP_CONTENT_ENCODING = req.headers['content-encoding'];
  if (req.headers['git-protocol']) env.GIT_PROTOCOL = req.headers['git-protocol'];
  const child = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'inherit'] });
  req.pipe(child.stdin);
  let head = Buffer.alloc(0);
  let headersDone = false;
  child.stdout.on('data', (chunk) => {
    if (headersDone) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) return;
    headersDone = true;
    let status = 200;
    for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
      const c = line.indexOf(':');
      if (c < 0) continue;
      const name = line.slice(0, c).trim();
      const value = line.slice(c + 1).trim();
      if (name.toLowerCase() === 'status') status = parseInt(value, 10) || 500;
      else res.setHeader(name, value);
    }
    res.writeHead(status);
    res.write(head.subarray(end + 4));
  });
  child.on('close', () => {
    if (!headersDone) res.writeHead(500);
    res.end();
  });
}

const server = createServer(async (req, res) => {
  const a = await authorized(req.headers.authorization);
  log(`${a.user} ${a.why}`);
  if (!a.ok) {
    req.resume();
    res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="keyward-test"', 'Content-Type': 'text/plain' });
    res.end('authentication required\n');
    return;
  }
  cgi(req, res, a.user);
});

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${server.address().port}` })}\n`);
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();

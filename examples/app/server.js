#!/usr/bin/env node
// A tiny HTTP app for trying Greenlight, its tests, the demo and the benchmarks.
// Every knob is an environment variable or a --flag of the same name (e.g. FAIL_RATE or --fail-rate):
//   PORT               port to listen on (the agent assigns one per instance)
//   HOST               address to listen on (default 127.0.0.1)
//   APP_VERSION        version label put in every response (default "v1")
//   FAIL_RATE          share of requests to / answered 500, 0..1 (default 0)
//   LATENCY_MS         added latency per request to / (default 0)
//   LATENCY_SIGMA      when > 0, LATENCY_MS is the median of a lognormal latency with this sigma (the standard
//                      deviation of its log): p95 = LATENCY_MS * e^(1.645 * sigma) (default 0: fixed latency)
//   LATENCY_JITTER_MS  extra random latency, uniform 0..N ms (default 0)
//   STARTUP_DELAY_MS   /ready answers 503 until this long after start (default 0)
//   LISTEN_DELAY_MS    do not even listen until this long after start (default 0)
//   CRASH_AFTER        exit with code 1 after this many requests to / (default 0: never)
//   UNHEALTHY_AFTER    /health answers 500 after this many requests to / (default 0: never)
// Routes: / (the app), /health, /ready, /status/:code, /slow?ms=N, /echo (method, headers, body length).
import http from 'node:http';

function knob(name, fallback) {
  const flag = '--' + name.toLowerCase().replace(/_/g, '-');
  const i = process.argv.indexOf(flag);
  if (i !== -1 && process.argv[i + 1] !== undefined) return process.argv[i + 1];
  return process.env[name] ?? fallback;
}

const port = Number(knob('PORT', '8080'));
const host = knob('HOST', '127.0.0.1');
const version = knob('APP_VERSION', 'v1');
const failRate = Number(knob('FAIL_RATE', '0'));
const latencyMs = Number(knob('LATENCY_MS', '0'));
const latencySigma = Number(knob('LATENCY_SIGMA', '0'));
const jitterMs = Number(knob('LATENCY_JITTER_MS', '0'));
const startupDelayMs = Number(knob('STARTUP_DELAY_MS', '0'));
const listenDelayMs = Number(knob('LISTEN_DELAY_MS', '0'));
const crashAfter = Number(knob('CRASH_AFTER', '0'));
const unhealthyAfter = Number(knob('UNHEALTHY_AFTER', '0'));
const instance = process.env.GREENLIGHT_INSTANCE ?? `${version}-${process.pid}`;

const startedAt = Date.now();
let served = 0;

function send(res, status, body) {
  const text = JSON.stringify(body) + '\n';
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-app-version': version,
  });
  res.end(text);
}

/** A standard normal draw (Box–Muller), for the lognormal latency. */
function standardNormal() {
  const u = 1 - Math.random(); // (0, 1]: the logarithm stays finite
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * Math.random());
}

function handleApp(req, res) {
  served += 1;
  if (crashAfter > 0 && served >= crashAfter) {
    send(res, 500, { error: 'crashing as configured', version });
    setImmediate(() => process.exit(1));
    return;
  }
  const base = latencySigma > 0 ? latencyMs * Math.exp(latencySigma * standardNormal()) : latencyMs;
  const delay = base + (jitterMs > 0 ? Math.random() * jitterMs : 0);
  const reply = () => {
    if (failRate > 0 && Math.random() < failRate) send(res, 500, { error: 'injected failure', version });
    else send(res, 200, { version, instance, pid: process.pid, served });
  };
  if (delay > 0) setTimeout(reply, delay);
  else reply();
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://app');
  const path = url.pathname;
  if (path === '/health') {
    const healthy = unhealthyAfter === 0 || served < unhealthyAfter;
    return send(res, healthy ? 200 : 500, { healthy, version });
  }
  if (path === '/ready') {
    const ready = Date.now() - startedAt >= startupDelayMs;
    return send(res, ready ? 200 : 503, { ready, version });
  }
  if (path.startsWith('/status/')) return send(res, Number(path.slice(8)) || 500, { version });
  if (path === '/slow') {
    const ms = Number(url.searchParams.get('ms') ?? '1000');
    setTimeout(() => send(res, 200, { version, sleptMs: ms }), ms);
    return;
  }
  if (path === '/echo') {
    let length = 0;
    req.on('data', (chunk) => (length += chunk.length));
    req.on('end', () =>
      send(res, 200, { version, method: req.method, headers: req.headers, bodyLength: length }),
    );
    return;
  }
  handleApp(req, res);
});
server.keepAliveTimeout = 65_000;

function shutdown() {
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 5_000).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

setTimeout(() => {
  server.listen(port, host, () => {
    console.log(`example app ${version} listening on ${host}:${port} (pid ${process.pid})`);
  });
}, listenDelayMs);

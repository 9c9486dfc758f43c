// Configuration files for the router benchmark's servers, written into the run's temporary directory:
// the nginx backend (a fixed small 200), nginx as a reverse proxy, and HAProxy as a reverse proxy.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The backend's body: about the size of the example app's JSON answer. */
export const BACKEND_BODY = '{"version":"bench","instance":"nginx-backend","ok":true}\n';

// nginx closes a keep-alive connection after 1000 requests by default; HAProxy and Node do not.
// Lifting the limit keeps every target on the same footing (no reconnects mid-run).
const KEEPALIVE_REQUESTS = 100_000_000;

function nginxPreamble(dir: string, name: string, workers: string): string {
  const tmp = join(dir, `${name}-tmp`);
  return `worker_processes ${workers};
daemon off;
pid ${join(dir, `${name}.pid`)};
error_log stderr warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${tmp}/body;
  proxy_temp_path ${tmp}/proxy;
  fastcgi_temp_path ${tmp}/fastcgi;
  uwsgi_temp_path ${tmp}/uwsgi;
  scgi_temp_path ${tmp}/scgi;
  keepalive_timeout 65s;
  keepalive_requests ${KEEPALIVE_REQUESTS};
`;
}

/** The backend: one worker answering every request with BACKEND_BODY, so the proxies are the bottleneck. */
export async function writeNginxBackend(dir: string, port: number): Promise<string> {
  const path = join(dir, 'backend.conf');
  await mkdir(join(dir, 'backend-tmp'), { recursive: true });
  const body = BACKEND_BODY.replace(/\n$/, '\\n').replace(/"/g, '\\"');
  await writeFile(
    path,
    `${nginxPreamble(dir, 'backend', '1')}  server {
    listen 127.0.0.1:${port};
    location / {
      default_type application/json;
      return 200 "${body}";
    }
  }
}
`,
  );
  return path;
}

/** nginx as a reverse proxy with `workers` worker processes and a keep-alive upstream pool (64 idle per worker). */
export async function writeNginxProxy(
  dir: string,
  port: number,
  backendPort: number,
  workers: number,
): Promise<string> {
  const path = join(dir, 'nginx-proxy.conf');
  await mkdir(join(dir, 'proxy-tmp'), { recursive: true });
  await writeFile(
    path,
    `${nginxPreamble(dir, 'proxy', String(workers))}  upstream backend {
    server 127.0.0.1:${backendPort};
    keepalive 64;
    keepalive_requests ${KEEPALIVE_REQUESTS};
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`,
  );
  return path;
}

/** HAProxy in HTTP mode with `threads` threads, keep-alive both sides, server connections always reused. */
export async function writeHaproxy(
  dir: string,
  port: number,
  backendPort: number,
  threads: number,
): Promise<string> {
  const path = join(dir, 'haproxy.cfg');
  await writeFile(
    path,
    `global
  maxconn 4096
  nbthread ${threads}

defaults
  mode http
  option http-keep-alive
  http-reuse always
  timeout connect 5s
  timeout client 30s
  timeout server 30s
  timeout http-keep-alive 65s

frontend bench
  bind 127.0.0.1:${port}
  default_backend origin

backend origin
  server origin1 127.0.0.1:${backendPort}
`,
  );
  return path;
}

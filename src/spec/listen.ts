// The router's listen address: `host:port` with an IP literal or `localhost` (IPv6 in brackets); port 0 asks
// the agent to pick a free port. Hostnames other than localhost are refused: they may not name this machine.
import { isIPv4, isIPv6 } from 'node:net';

export const LISTEN_EXPECTED =
  'host:port with an IP address or localhost, such as 127.0.0.1:8080 or [::1]:8080 (port 0 picks a free one)';

/** The outline, for the JSON Schema; parseListen checks the address itself. */
export const LISTEN_SHAPE = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/;

export interface ListenAddress {
  host: string;
  port: number;
}

export function parseListen(text: string): ListenAddress | undefined {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  if (match === null) return undefined;
  const port = Number(match[3]);
  if (port > 65535) return undefined;
  const v6 = match[1];
  if (v6 !== undefined) return isIPv6(v6) ? { host: v6, port } : undefined;
  const host = match[2] ?? '';
  return host === 'localhost' || isIPv4(host) ? { host, port } : undefined;
}

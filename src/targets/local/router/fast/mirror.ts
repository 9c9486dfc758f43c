// Mirroring on the fast engine: a bodyless copy of the request sent to the mirror version, its answer read and
// dropped. The client never waits for it; copies beyond MIRROR_MAX_IN_FLIGHT per endpoint are skipped.
import type { AppContext } from '../context.js';
import type { EndpointState } from '../endpoints.js';
import { pickEndpoint } from '../select.js';
import type { VersionRoute } from '../table.js';
import { requestHead } from './heads.js';
import type { UpstreamConn, UpstreamJob } from './upstream.js';

const MIRROR_MAX_IN_FLIGHT = 64;

class MirrorJob implements UpstreamJob {
  readonly replayable = true;
  readonly hasBody = false;
  private released = false;

  constructor(
    private readonly endpoint: EndpointState,
    readonly head: string,
    readonly isHead: boolean,
    readonly headDeadline: number,
  ) {}

  onConnected(conn: UpstreamConn): void {
    conn.endBody();
  }
  onResponseHead(): void {}
  onResponseBody(): boolean {
    return true;
  }
  onReadEnd(): void {}
  onUpstreamDrain(): void {}
  onResponseEnd(): void {
    this.release();
  }
  onUpstreamError(): void {
    this.release();
  }

  private release(): void {
    if (this.released) return;
    this.released = true;
    this.endpoint.release();
  }
}

/** Sends a copy of a bodyless request (its head without the endpoint part: `base`) to `route`. */
export function mirror(
  ctx: AppContext,
  route: VersionRoute,
  base: string,
  hasHost: boolean,
  isHead: boolean,
): void {
  const endpoint = pickEndpoint(route);
  if (endpoint.inFlight >= MIRROR_MAX_IN_FLIGHT) return;
  endpoint.inFlight += 1;
  route.recorder.mirrored += 1;
  const head = requestHead(base, hasHost, endpoint.host, endpoint.port);
  endpoint.upstream.acquire(
    new MirrorJob(endpoint, head, isHead, performance.now() + ctx.limits.upstreamTimeoutMs),
  );
}

// Free loopback ports for instances: the OS picks one (bind 127.0.0.1:0), we read it and release it.
import net from 'node:net';
import { ExternalError } from '../../../errors.js';

function askOs(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A port free right now on 127.0.0.1 and not in `taken` (ports already promised to other instances). */
export async function freePort(taken: ReadonlySet<number> = new Set()): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const port = await askOs();
    if (port > 0 && !taken.has(port)) return port;
  }
  throw new ExternalError('no free loopback port found', { attempts: 20 });
}

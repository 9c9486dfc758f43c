// greenlight audit verify | export: check the event log's hash chain (exit 1 naming the first event altered or
// removed), or write the log as JSON lines, oldest first, to stdout or a file.
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { once } from 'node:events';
import { ExternalError, GreenlightError, InvalidInputError, type ErrorCode } from '../../errors.js';
import type { AuditVerdict } from '../../report/audit.js';
import { connect, type ApiClient } from '../client.js';
import { EXIT } from '../errors.js';
import { outputFormat, printJson } from '../output.js';
import type { ApiFlags } from './release-action.js';

export interface AuditFlags extends ApiFlags {
  app?: string;
  since?: string;
  file?: string;
}

export const AUDIT_ACTIONS = ['verify', 'export'] as const;

export function exportPath(flags: Pick<AuditFlags, 'app' | 'since'>): string {
  const query = new URLSearchParams();
  if (flags.app) query.set('app', flags.app);
  if (flags.since) query.set('since', flags.since);
  const text = query.toString();
  return `/v1/audit/export${text ? `?${text}` : ''}`;
}

async function verify(client: ApiClient, json: boolean): Promise<void> {
  const verdict = await client.get<AuditVerdict>('/v1/audit/verify');
  if (json) printJson(verdict);
  else if (verdict.ok) console.log(verdict.message);
  else process.stderr.write(`greenlight: the event log was tampered with: ${verdict.message}\n`);
  if (!verdict.ok) process.exitCode = EXIT.failed;
}

/** Writes a chunk, waiting while the destination's buffer is full. */
async function write(out: Writable, chunk: Uint8Array): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain');
}

async function exportLog(client: ApiClient, flags: AuditFlags, json: boolean): Promise<void> {
  const { url, token } = client.connection;
  let response: Response;
  try {
    response = await fetch(url + exportPath(flags), { headers: { authorization: `Bearer ${token}` } });
  } catch (error) {
    throw new ExternalError(`cannot reach the controller at ${url}: ${(error as Error).message}`, { url });
  }
  if (!response.ok || !response.body) {
    const e = (await response.json().catch(() => ({}))) as { code?: ErrorCode; message?: string };
    throw new GreenlightError(e.code ?? 'GL9000', e.message ?? `the controller answered ${response.status}`, {
      status: response.status,
    });
  }
  const out = flags.file ? createWriteStream(flags.file) : process.stdout;
  let lines = 0;
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    for (const byte of chunk) if (byte === 10) lines += 1;
    await write(out, chunk);
  }
  if (!flags.file) return;
  out.end();
  await once(out, 'finish');
  const summary = { file: flags.file, events: lines };
  if (json) printJson(summary);
  else console.log(`wrote ${lines} event${lines === 1 ? '' : 's'} to ${flags.file}`);
}

export async function auditCommand(action: string, flags: AuditFlags): Promise<void> {
  const json = outputFormat(flags.output ?? 'table') === 'json';
  if (action !== 'verify' && action !== 'export')
    throw new InvalidInputError(`audit ${action}: expected one of ${AUDIT_ACTIONS.join(', ')}`);
  const client = connect(flags);
  if (action === 'verify') await verify(client, json);
  else await exportLog(client, flags, json);
}

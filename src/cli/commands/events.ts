// greenlight events APP [--after ID] [--follow]: the app's events, oldest first; --follow keeps printing new
// ones as they are stored (JSON output: one event per line).
import type { GreenlightEvent } from '../../engine/model.js';
import { InvalidInputError } from '../../errors.js';
import { appPath, connect, type ApiRequest } from '../client.js';
import { outputFormat } from '../output.js';
import { eventLine } from './format.js';
import type { ApiFlags } from './release-action.js';

const PAGE = 500;

export const eventsRequest = (app: string, after: number): ApiRequest => ({
  method: 'get',
  path: `${appPath(app, 'events')}?after=${after}&limit=${PAGE}`,
});

export const followPath = (app: string, after: number): string =>
  `/v1/events/stream?app=${encodeURIComponent(app)}&after=${after}`;

export async function eventsCommand(
  app: string,
  flags: ApiFlags & { follow?: boolean; after?: string },
): Promise<void> {
  const json = outputFormat(flags.output ?? 'table') === 'json';
  const print = (event: GreenlightEvent): void =>
    console.log(json ? JSON.stringify(event) : eventLine(event));
  let cursor = Number(flags.after ?? 0);
  if (!Number.isSafeInteger(cursor) || cursor < 0)
    throw new InvalidInputError(`--after ${flags.after}: expected an event id`);
  const client = connect(flags);
  for (;;) {
    const { events } = await client.send<{ events: GreenlightEvent[] }>(eventsRequest(app, cursor));
    events.forEach(print);
    cursor = events[events.length - 1]?.id ?? cursor;
    if (events.length < PAGE) break;
  }
  if (!flags.follow) return;
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  await client.follow(followPath(app, cursor), print, stop.signal);
}

// The audit side of the event log: the chain verdict in words, and the export of events page by page (oldest
// first) so a large log streams without being loaded at once.
import type { GreenlightEvent } from '../engine/model.js';
import type { ChainVerdict, Store } from '../store/store.js';

export interface AuditVerdict extends ChainVerdict {
  /** One sentence: the log is intact, or which event was altered or removed. */
  message: string;
}

/** The sentence that names the first event altered or removed, or says the log is intact. */
export function auditMessage(verdict: ChainVerdict): string {
  const events = `${verdict.checked} event${verdict.checked === 1 ? '' : 's'}`;
  if (verdict.ok || !verdict.firstBad) return `the event log is intact: ${events} checked`;
  const { id, problem } = verdict.firstBad;
  const where = `; ${events} before it verified`;
  switch (problem) {
    case 'altered':
      return `event ${id} was altered (its hash does not match its content)${where}`;
    case 'missing':
      return `event ${id} is missing (removed)${where}`;
    case 'broken-link':
      if (id <= 1) return `event ${id} does not start the chain (it was altered or replaced)${where}`;
      return (
        `event ${id} does not follow event ${id - 1} (its previous hash is not that event's hash): ` +
        `event ${id - 1} was rewritten with a recomputed hash, or event ${id} was inserted or replaced${where}`
      );
  }
}

export const auditVerdict = (verdict: ChainVerdict): AuditVerdict => ({
  ...verdict,
  message: auditMessage(verdict),
});

export interface ExportFilter {
  app?: string;
  /** Only events at or after this time (epoch ms). */
  since?: number;
}

/**
 * Every event matching the filter, oldest first, read `pageSize` at a time with listEvents' `afterId`, so only
 * one page is in memory while the caller writes it out.
 */
export async function* exportEvents(
  store: Store,
  filter: ExportFilter,
  pageSize = 500,
): AsyncGenerator<GreenlightEvent> {
  let afterId = 0;
  for (;;) {
    const page = await store.listEvents({
      afterId,
      limit: pageSize,
      ...(filter.app === undefined ? {} : { app: filter.app }),
    });
    for (const event of page) {
      if (filter.since === undefined || Date.parse(event.at) >= filter.since) yield event;
    }
    const last = page[page.length - 1];
    if (!last || page.length < pageSize) return;
    afterId = last.id;
  }
}

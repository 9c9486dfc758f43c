// The decision of one reconcile pass for a version set: how many instances to start and which to stop, from
// the desired count, the current spec hash and the instances as they are. Pure; called again on every change.
//
// A changed spec is rolled out one instance at a time with a surge of one: a new instance is started, and an
// old one is stopped only once the ready instances exceed the desired count, so the number of ready
// instances never drops during a replacement.

export interface Member {
  id: string;
  specHash: string;
  ready: boolean;
  /** A stop was asked for: no longer counted. */
  retiring: boolean;
  /** Adopted and not probed yet: it may well be serving, so it is neither stopped as unready nor replaced. */
  unknown: boolean;
  /** Creation order (the instance number): larger is newer. */
  order: number;
}

export interface Plan {
  spawn: number;
  retire: string[];
}

export function planReconcile(desired: number, hash: string, members: readonly Member[]): Plan {
  const live = members.filter((m) => !m.retiring);
  const current = live.filter((m) => m.specHash === hash);
  const stale = live.filter((m) => m.specHash !== hash);
  const retire: string[] = [];

  // Old instances that serve nothing cost no capacity to stop.
  for (const m of stale) if (!m.ready && !m.unknown) retire.push(m.id);
  const staleReady = stale.filter((m) => m.ready).sort((a, b) => a.order - b.order);
  const staleUnknown = stale.filter((m) => m.unknown).length;

  // Scale down: unready ones first, then the newest.
  const byDispensability = [...current].sort(
    (a, b) => Number(a.ready) - Number(b.ready) || b.order - a.order,
  );
  const extra = byDispensability.slice(0, Math.max(0, current.length - desired));
  retire.push(...extra.map((m) => m.id));
  const kept = current.filter((m) => !extra.includes(m));

  // An old ready instance goes only when the ready ones outnumber the desired count without it.
  let surplus = kept.filter((m) => m.ready).length + staleReady.length - desired;
  let staleLeft = staleReady.length;
  for (const m of staleReady) {
    if (surplus <= 0) break;
    retire.push(m.id);
    surplus -= 1;
    staleLeft -= 1;
  }

  // Capacity first (old ready ones still count); then the surge instance, once every new one is ready.
  let spawn = Math.max(0, desired - kept.length - staleLeft - staleUnknown);
  const replacing = staleLeft + staleUnknown > 0;
  if (spawn === 0 && kept.length < desired && replacing && kept.every((m) => m.ready)) spawn = 1;
  return { spawn, retire };
}

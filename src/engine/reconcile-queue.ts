// The engine's queue: releases to reconcile when the event loop has room, those that just made a transition
// before those a resync asked for. It works through them a batch at a time and gives the event loop back
// every QUEUE_TURN_MS. The SQLite store commits synchronously (and the in-memory target answers at once), so a
// reconcile and its commit run without yielding: a resync of a thousand releases that each have a step to
// start, or hundreds of releases running through steps that wait for nothing, would otherwise hold the loop
// for seconds, and pause timers falling due, deploys and API requests would wait behind them. Timers, deploys
// and commands still reconcile at once (the engine's enqueue), not through this queue.

/** This many releases at a time… */
const QUEUE_BATCH = 10;
/** …and batches until a turn of the event loop has taken this long, then the loop goes on. */
const QUEUE_TURN_MS = 10;
/** A batch that has not settled by then (a slow target) stops holding the queue up; its work goes on. */
const QUEUE_BATCH_WAIT_MS = 1_000;

/** Resolves once every promise has settled, or after ms, whichever is first. */
async function settledWithin(promises: Array<Promise<unknown> | undefined>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.allSettled(promises),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))),
  ]);
  clearTimeout(timer);
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class ReconcileQueue {
  private readonly afterTransition = new Set<number>();
  private readonly resyncing = new Set<number>();
  private draining: Promise<void> | undefined;
  private stopped = false;

  /**
   * `reconcile` starts a release's reconcile and returns the promise of its work (the engine's per-release
   * chain), so a batch can wait for it.
   */
  constructor(private readonly reconcile: (id: number) => Promise<void> | undefined) {}

  /** A release that just made a transition: its next step goes first. */
  afterTransitionOf(id: number): void {
    this.add(this.afterTransition, id);
  }

  /** A release a resync asked for. */
  resyncOf(id: number): void {
    this.add(this.resyncing, id);
  }

  get busy(): boolean {
    return this.draining !== undefined;
  }

  /** Resolves once the queue is empty (or stopped). */
  async drained(): Promise<void> {
    await this.draining;
  }

  start(): void {
    this.stopped = false;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.afterTransition.clear();
    this.resyncing.clear();
    await this.draining;
  }

  private add(queue: Set<number>, id: number): void {
    if (this.stopped) return;
    queue.add(id);
    this.draining ??= this.drain().finally(() => (this.draining = undefined));
  }

  private async drain(): Promise<void> {
    const pending = (): number => this.afterTransition.size + this.resyncing.size;
    await nextTurn();
    while (pending() > 0 && !this.stopped) {
      const turnStart = performance.now();
      do {
        await this.runBatch(this.afterTransition.size > 0 ? this.afterTransition : this.resyncing);
      } while (pending() > 0 && performance.now() - turnStart < QUEUE_TURN_MS);
      await nextTurn();
    }
  }

  private async runBatch(queue: Set<number>): Promise<void> {
    const batch: number[] = [];
    for (const id of queue) {
      batch.push(id);
      if (batch.length === QUEUE_BATCH) break;
    }
    const work = batch.map((id) => {
      queue.delete(id);
      return this.reconcile(id);
    });
    await settledWithin(work, QUEUE_BATCH_WAIT_MS);
  }
}

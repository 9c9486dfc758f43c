// Lookups the routes share: an app or a release that must exist (else 404), and the status view model.
import { appStatus, summarizeRelease, type AppStatusView, type ReleaseSummary } from '../../engine/status.js';
import type { Release } from '../../engine/model.js';
import { NotFoundError } from '../../errors.js';
import type { AppRecord } from '../../store/store.js';
import type { ControllerContext } from '../context.js';
import { planForDisplay } from '../../engine/actions.js';
import { DEFAULT_SECRET_PATTERNS } from '../../spec/runbook-defaults.js';

export async function requireApp(ctx: ControllerContext, app: string): Promise<AppRecord> {
  const record = await ctx.store.getApp(app);
  if (!record) throw new NotFoundError(`app ${app}`, { app });
  return record;
}

export async function statusView(
  ctx: ControllerContext,
  app: string,
  environment?: string | null,
): Promise<AppStatusView> {
  const view = await appStatus(
    { store: ctx.store, engine: ctx.engine, target: ctx.target, now: ctx.clock.now() },
    app,
    environment,
  );
  if (!view) throw new NotFoundError(`app ${app}`, { app });
  return view;
}

export interface ReleaseView {
  release: Release;
  summary: ReleaseSummary;
}

/**
 * A release as the API answers it: the record (the engine's live copy when it drives it) and its summary, with
 * secret-looking hook environment values masked in its plans.
 */
export async function releaseView(ctx: ControllerContext, release: Release): Promise<ReleaseView> {
  const live = ctx.engine.get(release.id) ?? release;
  const spec = await ctx.engine.specFor(live).catch(() => undefined);
  const patterns = spec?.secrets.namePatterns ?? DEFAULT_SECRET_PATTERNS;
  const shown: Release = {
    ...live,
    plan: planForDisplay(live.plan, patterns),
    rollbackPlan: planForDisplay(live.rollbackPlan, patterns),
  };
  return { release: shown, summary: summarizeRelease(live, ctx.clock.now()) };
}

export async function requireRelease(ctx: ControllerContext, id: number): Promise<Release> {
  const release = await ctx.store.getRelease(id);
  if (!release) throw new NotFoundError(`release ${id}`, { releaseId: id });
  return release;
}

// Analysis of a release, explained: every measurement, verdict and the rule that decided, in order (the view
// model is analysis-view.ts). Read-only; the CLI's `greenlight explain` shows it.
import { explainAnalysis } from './analysis-view.js';
import { requireRelease } from './lookup.js';
import { route, type Route } from './route.js';

export const analysisRoutes: Route[] = [
  route({
    id: 'explainRelease',
    method: 'get',
    path: '/v1/releases/{id}/analysis',
    access: 'read',
    tag: 'releases',
    summary: "A release's analysis: runs, metrics, verdicts, the timeline of measurements and what decided",
    description:
      'Runs in the order they started, each metric with its judge, dry-run flag, verdict (phase, rule, detail) and ' +
      'measurement count; the timeline of analysis events (and the release changes they caused) in the order ' +
      'they were recorded; the decision: the outcome reason and the rule behind it. A release without analysis ' +
      'answers empty runs and timeline, with the runs its plan lists in `plannedRuns`.',
    success: {
      status: 200,
      description: '`{release, plannedRuns, runs, timeline, decision}`',
    },
    errors: [404],
    handle: async ({ deps, param }) => {
      const id = Number(param('id'));
      const stored = await requireRelease(deps.ctx, Number.isSafeInteger(id) ? id : -1);
      // The engine's live copy when it drives the release: its analysis state may be newer than the store's.
      const release = deps.ctx.engine.get(stored.id) ?? stored;
      const events = await deps.ctx.store.listEvents({ releaseId: release.id });
      return explainAnalysis(release, events);
    },
  }),
];

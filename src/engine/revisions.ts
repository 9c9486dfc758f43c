// Recording a promoted release as the app's new live revision, once: a controller that crashed between
// recording the revision and finishing the release records nothing twice when it resumes.
import type { Store } from '../store/store.js';
import { CONTROLLER, type Release } from './model.js';

export async function recordRevisionOnce(store: Store, release: Release): Promise<void> {
  const current = await store.currentRevision(release.app, release.environment);
  if (current?.releaseId === release.id) return;
  await store.recordRevision(
    {
      app: release.app,
      environment: release.environment,
      version: release.version,
      releaseId: release.id,
      specRevision: release.specRevision,
    },
    {
      app: release.app,
      releaseId: release.id,
      actor: CONTROLLER,
      action: 'revision.recorded',
      reason: null,
      data: { version: release.version },
    },
  );
}

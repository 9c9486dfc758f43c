// The runbook parts of a spec when the file declares none: no gates, no hooks, no notifications, and one
// environment named `default`.
import type { CompiledSpec } from './compiled.js';

export const DEFAULT_ENVIRONMENT = 'default';

/** Name patterns whose values are redacted from hook output even when not declared as secrets. */
export const DEFAULT_SECRET_PATTERNS = [
  'password',
  'passwd',
  'secret',
  'token',
  'api[_-]?key',
  'private[_-]?key',
];

export type RunbookParts = Pick<
  CompiledSpec,
  'gates' | 'hooks' | 'notifications' | 'secrets' | 'environments'
>;

export function noRunbook(): RunbookParts {
  return {
    gates: {
      checks: [],
      approvals: [],
      windows: null,
      emergency: { bypassApprovals: false },
      requirePromotedIn: null,
    },
    hooks: { preDeploy: [], migrate: null, postDeploy: [], onRollback: [], onSuccess: [], onFailure: [] },
    notifications: { webhooks: [] },
    secrets: { env: [], namePatterns: [...DEFAULT_SECRET_PATTERNS] },
    environments: { [DEFAULT_ENVIRONMENT]: {} },
  };
}

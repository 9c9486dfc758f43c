// The compiled runbook parts of a spec: gates (checks, approvals, windows), hooks, notifications, secrets and
// environments. Durations are milliseconds; times of day are minutes after local midnight.

/** A command run as an argv array (never through a shell). `${version}` style placeholders are filled per item. */
export interface CommandAction {
  kind: 'command';
  name: string;
  argv: string[];
  /** Absolute (resolved against the spec file's folder). */
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  /** Extra attempts after a failure. */
  retries: number;
}

/**
 * An HTTP call. `path`: sent to the new version through the router's preview route (smoke tests before users
 * reach it); `url`: sent as is (a CI status, a capacity API).
 */
export interface HttpAction {
  kind: 'http';
  name: string;
  url: string | null;
  path: string | null;
  method: 'GET' | 'HEAD' | 'POST';
  headers: Record<string, string>;
  expectStatus: number;
  /** A substring the body must contain. */
  expectBody: string | null;
  timeoutMs: number;
  retries: number;
}

export type HookAction = CommandAction | HttpAction;

/** When an approval is asked for. A canary `pause: {untilApproved: true}` asks at that pause. */
export type ApprovalStage = 'start' | 'pause' | 'promotion';

export interface ApprovalPolicy {
  stage: ApprovalStage;
  /** Roles whose approvals count (admin always counts). */
  roles: string[];
  /** Distinct approvers needed. */
  count: number;
  /** An approval older than this no longer counts; null: never expires. */
  expiresAfterMs: number | null;
  /** Whether the person who started the release may approve it. */
  allowSelfApproval: boolean;
}

/** A weekly rule in local time: on these days (0 Sunday … 6 Saturday), from start to end (minutes). */
export interface WindowRule {
  text: string;
  days: number[];
  startMinute: number;
  /** Up to 1440 (24:00). An end at or before the start runs past midnight into the next day. */
  endMinute: number;
}

export interface Freeze {
  /** Instants (ms since the epoch), from inclusive, until exclusive. */
  fromMs: number;
  untilMs: number;
  reason: string;
}

export interface WindowPolicy {
  /** IANA time zone the rules are written in. */
  timeZone: string;
  /** Releases may start only inside one of these (none: any time not denied). */
  allow: WindowRule[];
  /** Never inside these. */
  deny: WindowRule[];
  freezes: Freeze[];
}

export interface GatesSpec {
  /** Pre-deployment checks: all must pass before anything changes. */
  checks: HookAction[];
  approvals: ApprovalPolicy[];
  windows: WindowPolicy | null;
  emergency: {
    /** An emergency release skips approvals too (windows are always skipped). */
    bypassApprovals: boolean;
  };
  /** Production accepts only versions promoted in this environment first; null: no such rule. */
  requirePromotedIn: string | null;
}

export interface MigrationSpec {
  action: CommandAction;
  /** safe: run before the switch, old and new both work with the result; breaking: under maintenance. */
  mode: 'safe' | 'breaking';
  /** Breaking only: what the router does with requests meanwhile. */
  maintenance: { mode: 'hold' | 'reject'; holdMs: number; retryAfterSeconds: number };
}

export interface HooksSpec {
  preDeploy: HookAction[];
  migrate: MigrationSpec | null;
  postDeploy: HookAction[];
  onRollback: HookAction[];
  onSuccess: HookAction[];
  onFailure: HookAction[];
}

export interface WebhookSpec {
  name: string;
  url: string;
  format: 'json' | 'slack';
  /** Name of the controller's environment variable holding the HMAC key; null: unsigned. */
  secretEnv: string | null;
  /** Event actions sent (exact names, or a prefix ending in `.*`). */
  events: string[];
  timeoutMs: number;
  /** Attempts in all, with exponential backoff between them. */
  attempts: number;
}

export interface NotificationsSpec {
  webhooks: WebhookSpec[];
}

export interface SecretsSpec {
  /** Controller environment variables passed to hooks; their values are redacted wherever output is kept. */
  env: string[];
  /** Values of any hook environment variable whose name matches one of these (case-insensitive) are redacted. */
  namePatterns: string[];
}

import type { Strategy } from './compiled.js';

/** What an environment changes of the app's spec. Absent fields keep the app's own. */
export interface EnvironmentOverrides {
  listen?: { host: string; port: number };
  instances?: number;
  /** The strategy, whole (not merged). */
  strategy?: Strategy;
  /** Gates, merged per field (checks, approvals, windows, emergency, requirePromotedIn). */
  gates?: Partial<GatesSpec>;
  hooks?: Partial<HooksSpec>;
}

// Running one hook action of any kind. Failures, including unexpected errors, come back as a failed result.
import type { HookAction } from '../spec/compiled-gates.js';
import { runCommand } from './command.js';
import { runHttp } from './http-call.js';
import type { Redactor } from './redact.js';
import { failedResult, type ActionResult } from './result.js';

export interface PreviewRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  timeoutMs: number;
}

export interface ActionContext {
  /** Values for `${app}`, `${version}`, … placeholders. */
  vars: Record<string, string>;
  /** Given to every command, under the action's own env. */
  env: Record<string, string>;
  redactor: Redactor;
  /** Sends a request to the new version through the router's preview route (http actions with a path). */
  preview?: (req: PreviewRequest) => Promise<{ status: number; body: string }>;
  /** Aborting stops the running attempt (a command's process group is killed) and any further retries. */
  signal?: AbortSignal;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** Told the pid (and process group id) of each command attempt as soon as it is spawned. */
  onSpawn?: (pid: number) => void;
}

/** Runs the action with its retries; never throws. */
export async function runAction(action: HookAction, ctx: ActionContext): Promise<ActionResult> {
  const now = ctx.now ?? Date.now;
  const startedMs = now();
  try {
    switch (action.kind) {
      case 'command':
        return await runCommand(action, ctx);
      case 'http':
        return await runHttp(action, ctx);
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return failedResult(action, ctx.redactor.redact(message), startedMs, now);
  }
}

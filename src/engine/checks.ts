// HTTP checks against a version through the preview route (blue-green pre-promotion checks, smoke tests):
// each check is retried as configured; its last answer is kept as the result.
import type { HttpCheck } from '../spec/compiled.js';
import type { Target } from '../targets/target.js';
import type { Clock } from './clock.js';
import type { CheckResult } from './model.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function runOne(
  target: Target,
  spec: Parameters<Target['previewRequest']>[0],
  version: string,
  check: HttpCheck,
): Promise<{ ok: boolean; message: string }> {
  try {
    const response = await target.previewRequest(spec, version, {
      method: check.method,
      path: check.path,
      timeoutMs: check.timeoutMs,
    });
    if (response.status !== check.expectStatus) {
      return {
        ok: false,
        message: `${check.method} ${check.path} answered ${response.status}, expected ${check.expectStatus}`,
      };
    }
    if (check.expectBody !== undefined && !response.body.includes(check.expectBody)) {
      return {
        ok: false,
        message: `${check.method} ${check.path} body does not contain ${JSON.stringify(check.expectBody)}`,
      };
    }
    return { ok: true, message: `${check.method} ${check.path} answered ${response.status}` };
  } catch (error) {
    return {
      ok: false,
      message: `${check.method} ${check.path} failed: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

export async function runChecks(
  target: Target,
  spec: Parameters<Target['previewRequest']>[0],
  version: string,
  checks: HttpCheck[],
  clock: Clock,
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const check of checks) {
    let outcome = await runOne(target, spec, version, check);
    for (let attempt = 0; !outcome.ok && attempt < check.retries; attempt++) {
      await sleep(500);
      outcome = await runOne(target, spec, version, check);
    }
    results.push({ name: check.name, ...outcome, at: new Date(clock.now()).toISOString() });
  }
  return results;
}

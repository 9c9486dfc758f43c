// The long chaos run: the controller kill -9 test (test/e2e/controller-chaos.test.ts) with 200 kills instead of
// the 20 of `npm test` (about 20 minutes on two cores). Each run prints its seed; replay one with --seed.
// Usage: node scripts/chaos.mjs [--kills N] [--seed S]   (or GREENLIGHT_CHAOS_KILLS / GREENLIGHT_CHAOS_SEED)
import { spawnSync } from 'node:child_process';

function flag(name) {
  const i = process.argv.indexOf(name);
  return i === -1 ? undefined : process.argv[i + 1];
}

const env = { ...process.env };
env.GREENLIGHT_CHAOS_KILLS = flag('--kills') ?? env.GREENLIGHT_CHAOS_KILLS ?? '200';
const seed = flag('--seed') ?? env.GREENLIGHT_CHAOS_SEED;
if (seed !== undefined) env.GREENLIGHT_CHAOS_SEED = seed;

const result = spawnSync(process.execPath, ['scripts/run-tests.mjs', 'test/e2e/controller-chaos.test.ts'], {
  stdio: 'inherit',
  env,
});
process.exit(result.status ?? 1);

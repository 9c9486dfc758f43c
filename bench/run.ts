// Benchmark runner: `npm run bench -- <name> [options]` runs the benchmark module bench/<name>.ts.
// A benchmark exports `main(args)`; adding one is a new file plus one line in the registry below.
import { installSignalTraps, stopAll } from './lib/procs.js';

interface Benchmark {
  main(args: string[]): Promise<void>;
}

const registry: Record<string, { about: string; load: () => Promise<Benchmark> }> = {
  router: {
    about: 'Greenlight router vs direct, HAProxy and nginx; latency at 2k rps; churn',
    load: () => import('./router.js'),
  },
  engine: {
    about: 'The engine: 1,000 concurrent canary releases (fake target, SQLite); step latency, peak RSS',
    load: () => import('./engine.js'),
  },
  safety: {
    about: 'Broken and subtly worse canaries under load (real processes): time to stable, failures; A/A',
    load: () => import('./safety.js'),
  },
};

function usage(): string {
  const lines = Object.entries(registry).map(([name, b]) => `  ${name.padEnd(10)} ${b.about}`);
  return `usage: npm run bench -- <name> [options]\nknown benchmarks:\n${lines.join('\n')}`;
}

async function run(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    console.error(usage());
    return name === undefined ? 2 : 0;
  }
  const entry = Object.hasOwn(registry, name) ? registry[name] : undefined;
  if (!entry) {
    console.error(`unknown benchmark "${name}"\n${usage()}`);
    return 2;
  }
  installSignalTraps();
  // Output piped into e.g. `head` may close early; the run goes on (and still cleans up) regardless.
  process.stdout.on('error', () => undefined);
  try {
    const bench = await entry.load();
    await bench.main(args);
    return 0;
  } catch (error) {
    console.error(
      `bench ${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    return 1;
  } finally {
    await stopAll();
  }
}

process.exitCode = await run(process.argv.slice(2));

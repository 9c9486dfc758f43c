// The greenlight command line. Each command lives in its own module, loaded only when it runs, so that
// `greenlight --help` and quick commands start fast. Commands that talk to the controller share the connection
// and output options (apiCommand).
import { Command, Option } from 'commander';
import { PRODUCT_VERSION } from '../version.js';
import { exitCodeOf, printError } from './errors.js';

const program = new Command('greenlight')
  .description('Progressive delivery that executes your deployment runbooks.')
  .version(PRODUCT_VERSION)
  .enablePositionalOptions()
  .exitOverride()
  .showHelpAfterError()
  .configureOutput({ outputError: (text, write) => write(text) });

/** -o/--output, checked by commander so that a wrong value is a usage error (exit 2). */
const outputOption = (): Option =>
  new Option('-o, --output <format>', 'table | json').choices(['table', 'json']).default('table');

const DATA_DIR_HELP = 'state directory (default $GREENLIGHT_DATA_DIR or ./.greenlight)';

/** A command that calls the controller API: --url, --token, --data-dir and -o/--output. */
function apiCommand(name: string, description: string): Command {
  return program
    .command(name)
    .description(description)
    .option(
      '--url <url>',
      'controller URL (default $GREENLIGHT_URL, else the controller on the data directory)',
    )
    .option(
      '--token <token>',
      'API token (default $GREENLIGHT_TOKEN, else the admin token of the data directory)',
    )
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .addOption(outputOption());
}

program
  .command('up')
  .description('start the controller (and the local agent when none runs)')
  .option('--data-dir <dir>', DATA_DIR_HELP)
  .option('--listen <host:port>', 'address of the controller API', '127.0.0.1:7070')
  .option(
    '--agent-listen <host:port>',
    'when it starts the agent: also serve the agent API and its /metrics on this loopback address (for Prometheus)',
  )
  .option('--detach', 'run in the background and return')
  .addOption(outputOption())
  .action(async (opts) => (await import('./commands/up.js')).upCommand(opts));

program
  .command('down')
  .description('stop the controller, and the local agent with every instance it runs')
  .option('--data-dir <dir>', DATA_DIR_HELP)
  .action(async (opts) => (await import('./commands/down.js')).downCommand(opts));

program
  .command('validate')
  .description('check a spec on this machine (no controller needed); exit 2 when it has problems')
  .option('-f, --file <file>', 'the spec file', 'greenlight.yaml')
  .addOption(outputOption())
  .action(async (opts) => (await import('./commands/validate.js')).validateCommand(opts));

apiCommand('apply', 'send a spec to the controller (a new spec revision when it changed)')
  .option('-f, --file <file>', 'the spec file', 'greenlight.yaml')
  .action(async (opts) => (await import('./commands/apply.js')).applyCommand(opts));

apiCommand('plan', 'print the steps a release of a version would run; changes nothing')
  .argument('<app>')
  .requiredOption('--version <version>', 'the version to plan')
  .option('--env <environment>', 'the environment (when the app has several)')
  .option('--emergency', 'plan an emergency release')
  .action(async (app: string, opts) => (await import('./commands/plan.js')).planCommand(app, opts));

apiCommand(
  'deploy',
  'start a release; with --wait, follow it: exit 0 promoted, 1 rolled back/aborted/failed, 3 timeout',
)
  .argument('<app>')
  .requiredOption('--version <version>', 'the version to release')
  .option('--reason <text>', 'why (shown in history)')
  .option('--env <environment>', 'the environment (required when the app declares several)')
  .option('--emergency', 'bypass deployment windows (needs --justification; recorded and notified)')
  .option('--justification <text>', 'with --emergency: why this cannot wait for a window')
  .option(
    '--commit <sha>',
    'the commit released (its commit time is read from git when --commit-time is absent)',
  )
  .option('--commit-time <iso>', 'when the change was committed, for lead time in greenlight report')
  .option('--wait', 'follow the release step by step until it ends')
  .option('--timeout <duration>', 'with --wait: give up after this long (the release goes on)', '30m')
  .action(async (app: string, opts) => (await import('./commands/deploy.js')).deployCommand(app, opts));

apiCommand('status', 'the live state of an app (or of every app)')
  .argument('[app]')
  .option('--env <environment>', 'the environment to show (default: the only one, or the one releasing)')
  .option('--watch', 'keep showing it as it changes')
  .action(async (app: string | undefined, opts) =>
    (await import('./commands/status.js')).statusCommand(app, opts),
  );

apiCommand('promote', 'finish the current step of the release in progress now')
  .argument('<app>')
  .option('--env <environment>', 'the environment (when the app has several)')
  .option('--full', 'skip the remaining steps and promote')
  .action(async (app: string, opts) => (await import('./commands/promote.js')).promoteCommand(app, opts));

apiCommand('pause', 'pause the release in progress (steps and timers stop)')
  .argument('<app>')
  .option('--env <environment>', 'the environment (when the app has several)')
  .option('--reason <text>', 'why')
  .action(async (app: string, opts) => (await import('./commands/pause.js')).pauseCommand(app, opts));

apiCommand('resume', 'resume a paused release')
  .argument('<app>')
  .option('--env <environment>', 'the environment (when the app has several)')
  .option('--reason <text>', 'why')
  .action(async (app: string, opts) => (await import('./commands/resume.js')).resumeCommand(app, opts));

apiCommand('abort', 'abort the release in progress: back to the previous version')
  .argument('<app>')
  .option('--env <environment>', 'the environment (when the app has several)')
  .requiredOption('--reason <text>', 'why (recorded)')
  .action(async (app: string, opts) => (await import('./commands/abort.js')).abortCommand(app, opts));

apiCommand('retry', 'release again the version whose last release failed or was aborted')
  .argument('<app>')
  .option('--env <environment>', 'the environment (when the app has several)')
  .option('--reason <text>', 'why')
  .action(async (app: string, opts) => (await import('./commands/retry.js')).retryCommand(app, opts));

apiCommand('rollback', 'abort the release in progress, or release the previous revision again')
  .argument('<app>')
  .option('--env <environment>', 'the environment (when the app has several)')
  .option('--to-revision <n>', 'the revision to return to (see history)')
  .requiredOption('--reason <text>', 'why (recorded)')
  .action(async (app: string, opts) => (await import('./commands/rollback.js')).rollbackCommand(app, opts));

apiCommand('approve', 'approve the step a release waits at (an approval gate)')
  .argument('<app>')
  .requiredOption('--reason <text>', 'what you checked (recorded)')
  .option('--release <id>', 'the release (default: the one in progress)')
  .option('--env <environment>', 'the environment (when the app has several)')
  .action(async (app: string, opts) => (await import('./commands/approve.js')).approveCommand(app, opts));

apiCommand('history', 'revisions and releases: outcome, duration, who and why')
  .argument('<app>')
  .option('--limit <n>', 'at most this many releases', '20')
  .action(async (app: string, opts) => (await import('./commands/history.js')).historyCommand(app, opts));

apiCommand('explain', "a release's analysis: every measurement and verdict in order, and what decided")
  .argument('<release>', 'the release id (see history)')
  .action(async (release: string, opts) =>
    (await import('./commands/explain.js')).explainCommand(release, opts),
  );

apiCommand('events', "an app's events, oldest first")
  .argument('<app>')
  .option('--after <id>', 'only events after this id', '0')
  .option('--follow', 'keep printing new events')
  .action(async (app: string, opts) => (await import('./commands/events.js')).eventsCommand(app, opts));

apiCommand('audit', 'verify the event log (exit 1 naming a tampered event), or export it as JSON lines')
  .argument('<action>', 'verify | export')
  .option('--app <app>', 'with export: only the events of this app')
  .option('--since <when>', 'with export: only events since a duration back (30d, 12h) or a date')
  .option('--file <file>', 'with export: write the JSON lines to this file instead of stdout')
  .action(async (action: string, opts) => (await import('./commands/audit.js')).auditCommand(action, opts));

apiCommand('report', 'DORA and runbook figures of a period: frequency, lead time, failures, recovery')
  .option('--since <when>', 'the start of the period: a duration back (30d, 12h, 90m) or a date', '30d')
  .option('--env <environment>', 'only releases in this environment')
  .option('--app <app>', 'only releases of this app')
  .action(async (opts) => (await import('./commands/report.js')).reportCommand(opts));

apiCommand('health-check', "run every instance's probes now (local target); exit 1 when any fails")
  .argument('<app>')
  .action(async (app: string, opts) =>
    (await import('./commands/health-check.js')).healthCheckCommand(app, opts),
  );

apiCommand('switch-traffic', 'move a share of traffic to a running version by hand (not during a release)')
  .argument('<app>')
  .requiredOption('--to <version>', 'the version that gets the share')
  .requiredOption('--percentage <n>', 'its share, 0 to 100 (the live version gets the rest)')
  .requiredOption('--reason <text>', 'why (recorded)')
  .action(async (app: string, opts) =>
    (await import('./commands/switch-traffic.js')).switchTrafficCommand(app, opts),
  );

apiCommand('token', 'API tokens (admin): create (the secret is shown once), list, revoke')
  .argument('<action>', 'create | list | revoke')
  .argument('[name]', 'with revoke: the token to revoke')
  .option('--name <name>', 'with create: the token name (recorded as the actor of what it does)')
  .option('--role <role>', 'with create: viewer | deployer | approver | admin')
  .option(
    '--env <environment>',
    'with create: an environment it may act in; repeat for more (default: all)',
    (value: string, previous: string[]) => [...previous, value],
    [] as string[],
  )
  .action(async (action: string, name: string | undefined, opts) =>
    (await import('./commands/token.js')).tokenCommand(action, name, opts),
  );

program
  .command('agent')
  .description('run and manage the local agent (the data plane: supervisor and router)')
  .argument('[action]', 'run | start | stop | status', 'status')
  .argument('[app]', 'with status: one app in detail')
  .option('--data-dir <dir>', DATA_DIR_HELP)
  .option('--admin-listen <host:port>', 'also serve the admin API on this loopback TCP address')
  .option('-o, --output <format>', 'table | json', 'table')
  .action(async (action: string, app: string | undefined, opts) => {
    const { agentCommand } = await import('./commands/agent.js');
    await agentCommand(action, app, opts);
  });

program
  .command('demo')
  .description(
    'a self-contained tour: v1 deployed, v2 promoted by canary, broken v3 rolled back by itself, a manual rollback',
  )
  .option('--data-plane', 'instead: the tour of the router alone (traffic split and moved between versions)')
  .option('--seconds <n>', 'with --data-plane: traffic duration of each phase', '4')
  .option('-o, --output <format>', 'table | json', 'table')
  .action(async (opts) => {
    const { demoCommand } = await import('./commands/demo.js');
    await demoCommand(opts);
  });

// `greenlight events shop | head`: a closed pipe ends the command quietly.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});

program.parseAsync(process.argv).catch((error: unknown) => {
  printError(error);
  process.exitCode = exitCodeOf(error);
});

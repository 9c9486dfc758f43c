// The command provider: runs a program (argv, never a shell) in its own process group and reads its answer,
// either the number on the last non-empty line of stdout, or in `exitCode` mode the exit status (0 successful,
// anything else failed). On timeout or cancellation the whole group is killed. argv and env values are
// templates; the context is also in GREENLIGHT_APP, GREENLIGHT_VERSION, GREENLIGHT_ROLE, GREENLIGHT_WINDOW.
import { spawn } from 'node:child_process';
import { z } from 'zod';
import { parseDuration } from '../../spec/duration.js';
import { ENV_NAME, ENV_NAME_EXPECTED, ENV_VALUE_EXPECTED } from '../../spec/names.js';
import { argv, duration, fields, stringMap, text } from '../../spec/schema-kit.js';
import type { Measurement } from '../measurement.js';
import { parseRaw } from './compile-kit.js';
import { startDeadline, type Deadline } from './deadline.js';
import { excerpt } from './http-text.js';
import { guarded } from './measurement-kit.js';
import type { MeasureContext, MetricProvider, ProviderFactory, ProviderQuery } from './provider.js';
import { renderTemplate, templateProblem, templateValues } from './template.js';

export const DEFAULT_COMMAND_TIMEOUT_MS = 30_000;
const KEEP_STDOUT = 64 * 1024;
const KEEP_STDERR = 2 * 1024;

export type CommandResult = 'stdout' | 'exitCode';

export interface CommandConfig {
  timeoutMs: number;
  env: Record<string, string>;
}

export interface CommandQuery extends ProviderQuery {
  command: string[];
  env: Record<string, string>;
  cwd?: string;
  result: CommandResult;
  timeoutMs?: number;
}

/** argv whose items may use placeholders, each checked. */
const templatedArgv = () =>
  argv().superRefine((command, ctx) => {
    command.forEach((arg, i) => {
      const problem = templateProblem(arg);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', path: [i], message: problem, input: arg });
    });
  });

const templatedEnv = () =>
  stringMap(ENV_NAME_EXPECTED, ENV_NAME, ENV_VALUE_EXPECTED)
    .meta({ description: 'Extra environment; values may use {{app}}, {{version}}, {{role}}, {{window}}.' })
    .superRefine((env, ctx) => {
      for (const [name, value] of Object.entries(env)) {
        const problem = templateProblem(value);
        if (problem !== undefined)
          ctx.addIssue({ code: 'custom', path: [name], message: problem, input: value });
      }
    });

const configSchema = fields({
  timeout: duration('1ms').optional().meta({ description: 'Time a command may run.', default: '30s' }),
  env: templatedEnv().optional(),
});

const queryFields = fields({
  command: templatedArgv().meta({
    description: 'Program and arguments (never a shell); arguments may use {{...}}.',
  }),
  env: templatedEnv().optional(),
  cwd: text('a directory').optional(),
  result: z.enum(['stdout', 'exitCode'], { error: 'stdout or exitCode' }).optional().meta({
    description: 'stdout: the number on the last line; exitCode: 0 passes, anything else fails.',
    default: 'stdout',
  }),
  timeout: duration('1ms').optional().meta({ description: "Overrides the provider's timeout." }),
});

/** A program and its arguments as a list, or a map with the command and its options. */
const querySchema = z.union([templatedArgv(), queryFields]);

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Set when the deadline ended the run (the group was killed). */
  stopped?: string;
  /** Set when the program could not be started. */
  spawnError?: string;
}

function keepTail(current: string, chunk: Buffer, limit: number): string {
  const next = current + chunk.toString('utf8');
  return next.length > limit ? next.slice(next.length - limit) : next;
}

/** Runs argv in a new process group; resolves when it has exited (and its output closed), or was killed. */
function run(
  command: string[],
  cwd: string | undefined,
  env: NodeJS.ProcessEnv,
  deadline: Deadline,
): Promise<Exit> {
  return new Promise((resolve) => {
    const [program = '', ...args] = command;
    const child = spawn(program, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let done = false;
    const settle = (exit: Omit<Exit, 'stdout' | 'stderr'>): void => {
      if (done) return;
      done = true;
      deadline.signal.removeEventListener('abort', onAbort);
      resolve({ ...exit, stdout, stderr });
    };
    const onAbort = (): void => {
      const stopped = deadline.reason() ?? 'aborted';
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // The group is already gone.
      }
      // Do not wait for the output to close: a process that left the group could hold it open for ever.
      if (child.exitCode !== null || child.signalCode !== null)
        settle({ code: null, signal: 'SIGKILL', stopped });
      else child.once('exit', () => settle({ code: null, signal: 'SIGKILL', stopped }));
    };
    child.stdout.on('data', (chunk: Buffer) => (stdout = keepTail(stdout, chunk, KEEP_STDOUT)));
    child.stderr.on('data', (chunk: Buffer) => (stderr = keepTail(stderr, chunk, KEEP_STDERR)));
    child.once('error', (error) => settle({ code: null, signal: null, spawnError: error.message }));
    child.once('close', (code, signal) => settle({ code, signal }));
    if (deadline.signal.aborted) onAbort();
    else deadline.signal.addEventListener('abort', onAbort, { once: true });
  });
}

function lastLine(text: string): string | undefined {
  const lines = text.split('\n').map((line) => line.trim());
  for (let i = lines.length - 1; i >= 0; i--) if (lines[i]) return lines[i];
  return undefined;
}

class CommandProvider implements MetricProvider<CommandQuery> {
  readonly kind = 'command';

  constructor(private readonly config: CommandConfig) {}

  measure(query: CommandQuery, ctx: MeasureContext): Promise<Measurement> {
    return guarded(query.metric, ctx, async (m) => {
      const values = templateValues(ctx);
      const command = query.command.map((arg) => renderTemplate(arg, values));
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        GREENLIGHT_APP: ctx.app,
        GREENLIGHT_VERSION: ctx.version,
        GREENLIGHT_ROLE: ctx.role,
        GREENLIGHT_WINDOW: values.window,
      };
      for (const [name, value] of Object.entries({ ...this.config.env, ...query.env })) {
        env[name] = renderTemplate(value, values);
      }
      const deadline = startDeadline(query.timeoutMs ?? this.config.timeoutMs, ctx.signal);
      const exit = await run(command, query.cwd, env, deadline).finally(() => deadline.dispose());
      const name = `command ${JSON.stringify(command[0])}`;
      const stderr = exit.stderr.trim() === '' ? '' : `: ${excerpt(exit.stderr, 200)}`;
      if (exit.spawnError !== undefined) return m.error(`${name} could not start: ${exit.spawnError}`);
      if (exit.stopped !== undefined) return m.error(`${name} ${exit.stopped}; its process group was killed`);
      if (exit.code === null) return m.error(`${name} was killed by ${exit.signal ?? 'a signal'}${stderr}`);
      if (query.result === 'exitCode') {
        return exit.code === 0
          ? m.value(0, `${name} exited with 0`)
          : m.failed(exit.code, `${name} exited with ${exit.code}${stderr}`);
      }
      if (exit.code !== 0) return m.error(`${name} exited with ${exit.code}${stderr}`);
      const line = lastLine(exit.stdout);
      if (line === undefined) return m.inconclusive(`${name} printed nothing on stdout`);
      const value = Number(line);
      if (Number.isNaN(value) && line !== 'NaN') {
        return m.error(`${name} printed ${JSON.stringify(excerpt(line, 60))} last, not a number`);
      }
      return m.value(value, `${name} printed ${line}`);
    });
  }
}

export const commandProvider: ProviderFactory<CommandConfig, CommandQuery> = {
  kind: 'command',
  configSchema,
  querySchema,
  compileConfig(raw, path = 'command') {
    const parsed = parseRaw(configSchema, raw ?? {}, path, 'command provider settings');
    return {
      timeoutMs: parsed.timeout === undefined ? DEFAULT_COMMAND_TIMEOUT_MS : parseDuration(parsed.timeout),
      env: parsed.env ?? {},
    };
  },
  compileQuery(metric, raw, path = 'query') {
    if (Array.isArray(raw)) {
      return {
        metric,
        command: parseRaw(templatedArgv(), raw, path, 'command query'),
        env: {},
        result: 'stdout',
      };
    }
    const parsed = parseRaw(queryFields, raw, path, 'command query');
    return {
      metric,
      command: parsed.command,
      env: parsed.env ?? {},
      ...(parsed.cwd === undefined ? {} : { cwd: parsed.cwd }),
      result: parsed.result ?? 'stdout',
      ...(parsed.timeout === undefined ? {} : { timeoutMs: parseDuration(parsed.timeout) }),
    };
  },
  create(config) {
    return new CommandProvider(config);
  },
};

// `${...}` placeholders: only ${version}, ${app} and ${PORT} exist, and only where something substitutes
// them — ${version} and ${app} in run (command, cwd, env) and its per-version overrides, resolved by
// runSpecFor; ${PORT} in env values only, resolved by the agent for each instance. Hooks and checks (under
// gates and hooks, also per environment) have their own: ${app}, ${version}, ${fromVersion}, ${environment},
// ${release}, filled when the action runs, in the fields the runner fills (run, env values, http url, path and
// headers; never cwd, which is resolved once when the spec is compiled).
import { HOOK_PLACEHOLDERS } from '../hooks/placeholders.js';
import type { Finding } from './findings.js';
import { isMap } from './raw.js';
import type { FieldPath } from './source.js';

export const PLACEHOLDERS = ['version', 'app', 'PORT'] as const;
const ANY = /\$\{([^}]*)(\})?/g;
const EXPECTED_NAMES = 'one of ${version}, ${app}, ${PORT}';

const HOOK_EXPECTED = 'one of ${app}, ${version}, ${fromVersion}, ${environment}, ${release}';

type Context = 'command' | 'cwd' | 'env' | 'hook' | 'hook-unfilled' | 'elsewhere';

/**
 * The path inside a hook action or check, or null outside them: spec.hooks.<list>.<i>.…, spec.hooks.migrate.…,
 * spec.gates.checks.<i>.…, and the same under spec.environments.<name>.
 */
function actionField(path: FieldPath): FieldPath | null {
  if (path[0] !== 'spec') return null;
  const rest = path[1] === 'environments' ? path.slice(3) : path.slice(1);
  const [section, list] = rest;
  if (section === 'hooks' && list === 'migrate') return rest.slice(2);
  if (section === 'hooks' || (section === 'gates' && list === 'checks')) return rest.slice(3);
  return null;
}

/** Only the fields the hook runner fills (src/hooks: argv items, env values, http url, path and headers). */
function hookContext(field: FieldPath): Context {
  const [name, sub] = field;
  if ((name === 'run' || name === 'env') && field.length === 2) return 'hook';
  if (name === 'http' && (sub === 'url' || sub === 'path') && field.length === 2) return 'hook';
  if (name === 'http' && sub === 'headers' && field.length === 3) return 'hook';
  return 'hook-unfilled';
}

/** Which run field a path is in: spec.target.local.run.* or spec.target.local.versions.<v>.*, or a hook field. */
function contextOf(path: FieldPath): Context {
  const inAction = actionField(path);
  if (inAction !== null) return hookContext(inAction);
  const [spec, target, local, section] = path;
  if (spec !== 'spec' || target !== 'target' || local !== 'local') return 'elsewhere';
  const field = section === 'run' ? path[4] : section === 'versions' ? path[5] : undefined;
  const depth = section === 'run' ? 5 : 6;
  if (field === 'command' && path.length === depth + 1) return 'command';
  if (field === 'cwd' && path.length === depth) return 'cwd';
  if (field === 'env' && path.length === depth + 1) return 'env';
  return 'elsewhere';
}

function checkString(value: string, path: FieldPath, out: Finding[]): void {
  const context = contextOf(path);
  for (const match of value.matchAll(ANY)) {
    const name = match[1] ?? '';
    const shown = match[0];
    if (match[2] === undefined) {
      out.push({
        path,
        anchor: 'value',
        found: `an unterminated placeholder ${JSON.stringify(shown)}`,
        expected: 'a placeholder closed with }, such as ${version}',
      });
    } else if (context === 'hook') {
      if (!(HOOK_PLACEHOLDERS as readonly string[]).includes(name))
        out.push({
          path,
          anchor: 'value',
          found: `unknown placeholder ${JSON.stringify(shown)}`,
          expected: `${HOOK_EXPECTED} in hooks and checks`,
        });
    } else if (context === 'hook-unfilled') {
      out.push({
        path,
        anchor: 'value',
        found: `placeholder ${JSON.stringify(shown)}`,
        expected: 'placeholders in hooks and checks only in run, env values and http url, path and headers',
      });
    } else if (!(PLACEHOLDERS as readonly string[]).includes(name)) {
      out.push({
        path,
        anchor: 'value',
        found: `unknown placeholder ${JSON.stringify(shown)}`,
        expected: EXPECTED_NAMES,
      });
    } else if (context === 'elsewhere') {
      out.push({
        path,
        anchor: 'value',
        found: `placeholder ${JSON.stringify(shown)}`,
        expected:
          'placeholders only in run.command, run.cwd and run.env (and their per-version overrides), hooks and checks',
      });
    } else if (name === 'PORT' && context !== 'env') {
      out.push({
        path,
        anchor: 'value',
        found: 'placeholder "${PORT}"',
        expected: '${PORT} only in env values (the instance also gets PORT in its environment)',
      });
    }
  }
}

function walk(value: unknown, path: FieldPath, out: Finding[]): void {
  if (typeof value === 'string') checkString(value, path, out);
  else if (Array.isArray(value)) value.forEach((item, i) => walk(item, [...path, i], out));
  else if (isMap(value)) for (const [key, item] of Object.entries(value)) walk(item, [...path, key], out);
}

export function checkPlaceholders(data: unknown): Finding[] {
  const out: Finding[] = [];
  walk(data, [], out);
  return out;
}

// `${...}` placeholders: only ${version}, ${app} and ${PORT} exist, and only where something substitutes
// them — ${version} and ${app} in run (command, cwd, env) and its per-version overrides, resolved by
// runSpecFor; ${PORT} in env values only, resolved by the agent for each instance.
import type { Finding } from './findings.js';
import { isMap } from './raw.js';
import type { FieldPath } from './source.js';

export const PLACEHOLDERS = ['version', 'app', 'PORT'] as const;
const ANY = /\$\{([^}]*)(\})?/g;
const EXPECTED_NAMES = 'one of ${version}, ${app}, ${PORT}';

type Context = 'command' | 'cwd' | 'env' | 'elsewhere';

/** Which run field a path is in: spec.target.local.run.* or spec.target.local.versions.<v>.*. */
function contextOf(path: FieldPath): Context {
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
        expected: 'placeholders only in run.command, run.cwd and run.env (and their per-version overrides)',
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

// Query templates: checking placeholders at compile time and filling them, escaped for where they land.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderTemplate, templateProblem, templateValues } from './template.js';

describe('query templates', () => {
  const values = templateValues({ app: 'shop', version: 'v2', role: 'baseline', windowMs: 90_000, now: 0 });

  it('fills {{app}}, {{version}}, {{role}} and {{window}} (as a PromQL duration)', () => {
    assert.equal(
      renderTemplate('{{app}}/{{ version }}/{{role}}/[{{window}}]', values),
      'shop/v2/baseline/[1m30s]',
    );
    assert.equal(
      renderTemplate(
        '[{{window}}]',
        templateValues({ ...{ app: '', version: '', role: 'canary' }, windowMs: 500, now: 0 }),
      ),
      '[500ms]',
    );
  });

  it('escapes each value with the given function, never the template text', () => {
    assert.equal(
      renderTemplate('"{{version}}" {x}', { ...values, version: 'a"b' }, (v) => v.replace(/"/g, '\\"')),
      '"a\\"b" {x}',
    );
  });

  it('accepts known placeholders and text with single braces', () => {
    assert.equal(templateProblem('sum(x{app="{{app}}"}) / {{ window }}'), undefined);
    assert.equal(templateProblem('{"a":{"b":1}}'), undefined);
  });

  it('refuses unknown and unclosed placeholders', () => {
    assert.match(templateProblem('{{vesion}}') ?? '', /unknown: \{\{vesion\}\}/);
    assert.match(templateProblem('x{{app') ?? '', /unclosed or malformed at "\{\{app"/);
    assert.match(templateProblem('{{}}') ?? '', /unclosed or malformed/);
    assert.match(templateProblem('{{args.version}}') ?? '', /unclosed or malformed/);
  });
});

// Rules of the runbook parts that the bad-spec fixtures do not show: what is accepted, and messages that depend
// on where an action runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileSpecText } from './load.js';
import { formatProblem, SpecError } from './spec-error.js';
import { MINIMAL_SPEC_TEXT } from '../../test/helpers/spec-text.js';

const HEAD = MINIMAL_SPEC_TEXT;

function problems(body: string): string[] {
  try {
    compileSpecText(HEAD + body, 'g.yaml');
  } catch (error) {
    if (error instanceof SpecError) return error.problems.map(formatProblem);
    throw error;
  }
  return [];
}

void test('every hook placeholder is accepted in run, env values and http url, path and headers', () => {
  const spec = `  hooks:
    preDeploy:
      - name: backup
        run: [./backup.sh, "\${version}", "\${fromVersion}", "\${app}", "\${environment}", "\${release}"]
        env: { TAG: "\${app}-\${version}" }
    postDeploy:
      - name: smoke
        http: { path: "/v/\${version}", headers: { X-Release: "\${release}" } }
  gates:
    checks:
      - name: ci
        http: { url: "https://ci.example.com/\${app}/\${version}" }
  environments:
    staging:
      hooks: { onSuccess: [{ name: tag, run: [git, tag, "\${environment}-\${version}"] }] }
`;
  assert.deepEqual(problems(spec), []);
});

void test('a path is accepted in postDeploy only; after the release the message says why', () => {
  const spec = `  hooks:
    postDeploy: [{ name: smoke, http: { path: /health } }]
    onSuccess: [{ name: ping, http: { path: /ping } }]
`;
  assert.deepEqual(problems(spec), [
    'g.yaml:13:39: spec.hooks.onSuccess[0].http.path: found a path (the preview route of the new version), expected a url: the preview route exists only during the release (postDeploy)',
  ]);
});

void test('environments listening on port 0 each get a free port: no clash', () => {
  const spec = `  environments:
    staging: { listen: "127.0.0.1:0" }
    production: { listen: "127.0.0.1:0" }
`;
  assert.deepEqual(problems(spec), []);
});

void test('a requirePromotedIn naming another declared environment, app-wide or per environment, is accepted', () => {
  const spec = `  gates: { requirePromotedIn: staging }
  environments:
    staging: { listen: 127.0.0.1:8081 }
    production: { gates: { requirePromotedIn: staging } }
`;
  assert.deepEqual(problems(spec), []);
});

void test('requirePromotedIn without declared environments is refused', () => {
  assert.deepEqual(problems('  gates: { requirePromotedIn: staging }\n'), [
    'g.yaml:11:31: spec.gates.requirePromotedIn: found "staging", expected requirePromotedIn only when spec.environments declares the environments',
  ]);
});

void test('a freeze given as ISO instants is compared as instants', () => {
  const spec = `  gates:
    windows:
      timeZone: Europe/Oslo
      freezes: [{ from: "2026-12-20T00:00+01:00", until: "2026-12-19T23:30Z", reason: r }]
`;
  assert.deepEqual(problems(spec), []);
});

void test('an environment strategy {} is refused like spec.strategy {}', () => {
  assert.deepEqual(problems('  environments:\n    staging: { strategy: {} }\n'), [
    'g.yaml:12:26: spec.environments.staging.strategy: found no strategy, expected exactly one of: canary, blueGreen, rolling',
  ]);
});

void test('an environment pause with both duration and untilApproved is refused', () => {
  const spec = `  environments:
    staging:
      strategy: { canary: { steps: [{ setWeight: 10 }, { pause: { duration: 1m, untilApproved: true } }] } }
`;
  assert.deepEqual(problems(spec), [
    'g.yaml:13:65: spec.environments.staging.strategy.canary.steps[1].pause: found both duration and untilApproved, expected one of them: a pause waits for a time or for approvals',
  ]);
});

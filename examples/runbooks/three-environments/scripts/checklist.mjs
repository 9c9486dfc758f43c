#!/usr/bin/env node
// Pre-deployment checklist (spec.gates.checks): the items a person ticked by hand, checked before anything
// changes. A stand-in: replace each item with the real query (CI status, scan report, change ticket).
// Usage: node checklist.mjs <app> <version> <environment>. Exit 0 when every item holds, 1 otherwise.
const [app, version, environment] = process.argv.slice(2);

const items = [
  ['an app, a version and an environment were given', Boolean(app && version && environment)],
  // Release versions are tags like v1.4.2 or v12; anything else was not built by the release pipeline.
  ['the version is a release tag', /^v\d+(\.\d+){0,2}$/.test(version ?? '')],
];

let failed = 0;
for (const [item, ok] of items) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${item}`);
  if (!ok) failed += 1;
}
console.log(
  `checklist for ${app} ${version} in ${environment}: ${failed === 0 ? 'passed' : `${failed} failed`}`,
);
process.exit(failed === 0 ? 0 : 1);

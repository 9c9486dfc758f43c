#!/usr/bin/env node
// Smoke test (spec.hooks.postDeploy): a short user journey against the new version before users reach it.
// Greenlight gives every hook GREENLIGHT_URL (the app's address) and GREENLIGHT_PREVIEW_HEADER ("name: version"),
// the header that routes a request to the new version while it has no share of the traffic.
// Usage: node smoke.mjs [path...] (default: / and /health). Exit 0 when every answer is 200 from the new version.
const base = process.env.GREENLIGHT_URL;
const [name, version] = (process.env.GREENLIGHT_PREVIEW_HEADER ?? '').split(/:\s*/);
if (!base || !name || !version) {
  console.error('run me from a Greenlight hook: GREENLIGHT_URL and GREENLIGHT_PREVIEW_HEADER are not set');
  process.exit(2);
}
const paths = process.argv.length > 2 ? process.argv.slice(2) : ['/', '/health'];

let failed = 0;
for (const path of paths) {
  try {
    const answer = await fetch(base + path, { headers: { [name]: version } });
    const body = await answer.text();
    const served = answer.headers.get('x-app-version') ?? JSON.parse(body).version;
    const ok = answer.status === 200 && served === version;
    console.log(`${ok ? 'ok  ' : 'FAIL'} GET ${path}: ${answer.status} from ${served}`);
    if (!ok) failed += 1;
  } catch (error) {
    console.log(`FAIL GET ${path}: ${error.message}`);
    failed += 1;
  }
}
process.exit(failed === 0 ? 0 : 1);

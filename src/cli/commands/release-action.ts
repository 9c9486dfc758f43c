// What the release commands (promote, pause, resume, abort, retry, rollback) share: send one request to the
// controller and show the release it answers.
import type { ReleaseView } from '../../server/api/lookup.js';
import { connect, type ApiRequest, type ConnectionFlags } from '../client.js';
import { outputFormat, printJson } from '../output.js';
import { releaseLine } from './format.js';

export interface ApiFlags extends ConnectionFlags {
  output?: string;
  /** The environment of the release (needed when the app has releases in several). */
  env?: string;
}

/** The request with the environment named by --env, if any, in its body. */
export function inEnvironment(request: ApiRequest, env: string | undefined): ApiRequest {
  if (!env) return request;
  return { ...request, body: { ...(request.body as Record<string, unknown> | undefined), environment: env } };
}

/** Sends the request; prints `APP: VERB: release ...` (or the answer as JSON); returns the answer. */
export async function runReleaseAction(
  app: string,
  verb: string,
  request: ApiRequest,
  flags: ApiFlags,
): Promise<ReleaseView> {
  const format = outputFormat(flags.output ?? 'table');
  const view = await connect(flags).send<ReleaseView>(inEnvironment(request, flags.env));
  if (format === 'json') printJson(view);
  else console.log(`${app}: ${verb}: ${releaseLine(view.summary)}`);
  return view;
}

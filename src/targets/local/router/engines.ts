// The router's engines, by name: how an app's listener is built. `node` is node:http with undici upstream;
// `fast` is raw sockets with llhttp on both sides (fast/). An unknown name is refused by the Router.
import type { RouterLimits } from '../types.js';
import { createFastListener } from './fast/listener.js';
import { llhttpAvailable } from './fast/llhttp.js';
import { createNodeListener, type AppListener, type ListenerApp } from './listener.js';

export type RouterEngine = 'fast' | 'node';

export const DEFAULT_ENGINE: RouterEngine = 'fast';

export const ENGINES: Readonly<
  Record<RouterEngine, (limits: RouterLimits, app: ListenerApp) => AppListener>
> = {
  node: createNodeListener,
  fast: createFastListener,
};

/** Whether `engine` names an engine that can run in this Node process. */
export function engineUsable(engine: unknown): engine is RouterEngine {
  if (engine === 'node') return true;
  return engine === 'fast' && llhttpAvailable();
}

// Every metric provider kind, in one map. A new provider is one file implementing ProviderFactory plus one
// line here; an unknown kind is refused when the spec is compiled, naming the known ones — never a fallback.
import { InvalidInputError } from '../../errors.js';
import { closestName } from '../../spec/suggest.js';
import { builtinProvider } from './builtin.js';
import { commandProvider } from './command.js';
import { prometheusProvider } from './prometheus.js';
import type { MetricProvider, ProviderDeps, ProviderFactory, ProviderQuery } from './provider.js';
import { webProvider } from './web.js';

export type ProviderKind = 'builtin' | 'prometheus' | 'web' | 'command';

// Each factory keeps its own config and query types; the map erases them to the common contract.
export const providers: Readonly<Record<ProviderKind, ProviderFactory>> = {
  builtin: builtinProvider,
  prometheus: prometheusProvider,
  web: webProvider,
  command: commandProvider,
};

export const PROVIDER_KINDS = Object.keys(providers) as ProviderKind[];

export function isProviderKind(kind: string): kind is ProviderKind {
  return Object.hasOwn(providers, kind);
}

/** The factory of `kind`; InvalidInputError naming the known kinds (and a likely typo) otherwise. */
export function providerFactory(kind: string, path = 'provider'): ProviderFactory {
  if (isProviderKind(kind)) return providers[kind];
  const suggestion = closestName(kind, PROVIDER_KINDS);
  const hint = suggestion === undefined ? '' : ` (did you mean ${JSON.stringify(suggestion)}?)`;
  throw new InvalidInputError(
    `${path}: unknown metric provider ${JSON.stringify(kind)}${hint}; known: ${PROVIDER_KINDS.join(', ')}`,
    { provider: kind, known: PROVIDER_KINDS },
  );
}

/** A provider and one compiled query of it: what the analysis measures on every interval. */
export interface CompiledMetricSource {
  provider: MetricProvider;
  query: ProviderQuery;
}

/**
 * Compiles one metric's provider settings and query together (both refused with InvalidInputError naming the
 * field) and creates the provider with its live dependencies.
 */
export function compileMetricSource(
  metric: string,
  source: { kind: string; config?: unknown; query: unknown },
  deps: ProviderDeps = {},
  path = 'metric',
): CompiledMetricSource {
  const factory = providerFactory(source.kind, `${path}.provider`);
  const config = factory.compileConfig(source.config, `${path}.${factory.kind}`);
  const query = factory.compileQuery(metric, source.query, `${path}.query`);
  return { provider: factory.create(config, deps), query };
}

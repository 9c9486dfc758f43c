// "Did you mean ...?" for unknown field names: a likely typo, a different case or separator, or the name
// another tool uses for the same thing (Kubernetes `replicas`, `periodSeconds`).

/** Names users bring from Kubernetes and Argo Rollouts, mapped to ours. */
const ALIASES: Record<string, string> = {
  replicas: 'instances',
  periodseconds: 'period',
  timeoutseconds: 'timeout',
  initialdelayseconds: 'initialDelay',
  terminationgraceperiodseconds: 'stopGrace',
  args: 'command',
  workingdir: 'cwd',
  environment: 'env',
  httpget: 'http',
  tcpsocket: 'tcp',
  readinessprobe: 'readiness',
  livenessprobe: 'liveness',
  port: 'listen',
  address: 'listen',
  setweights: 'setWeight',
  weight: 'setWeight',
  bluegreendeployment: 'blueGreen',
  rollingupdate: 'rolling',
};

function normalise(name: string): string {
  return name.toLowerCase().replace(/[-_\s]/g, '');
}

/** Edit distance with adjacent transpositions (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  const at = (i: number, j: number): number => d[i * cols + j] ?? 0;
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, at(i - 2, j - 2) + 1);
      }
      d[i * cols + j] = best;
    }
  }
  return at(a.length, b.length);
}

/** The known name `unknown` most likely stands for, or undefined when none is close enough to suggest. */
export function closestName(unknown: string, known: readonly string[]): string | undefined {
  const wanted = normalise(unknown);
  const alias = ALIASES[wanted];
  if (alias !== undefined && known.includes(alias)) return alias;
  const same = known.find((name) => normalise(name) === wanted);
  if (same !== undefined) return same;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of known) {
    const distance = editDistance(wanted, normalise(name));
    if (distance < bestDistance) {
      best = name;
      bestDistance = distance;
    }
  }
  // A third of the name may be wrong, so short names only match one slip.
  const allowed = Math.max(1, Math.floor(wanted.length / 3));
  return bestDistance <= allowed ? best : undefined;
}

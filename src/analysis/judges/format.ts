// How the judges write durations and rates in the human text of their rules.

/** "1m30s", "2m", "500ms". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const total = Math.round(ms / 1000);
  const [h, m, s] = [Math.floor(total / 3600), Math.floor(total / 60) % 60, total % 60];
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`;
}

/** 0.0312 → "3.12%". */
export function percent(value: number): string {
  return `${(100 * value).toFixed(2)}%`;
}

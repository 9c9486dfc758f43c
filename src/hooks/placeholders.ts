// `${name}` placeholders in hook actions (argv items, env values, URLs, paths, headers).

/** The names a hook may use; the spec validator refuses any other. */
export const HOOK_PLACEHOLDERS = ['app', 'version', 'fromVersion', 'environment', 'release'] as const;

const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Replaces `${name}` for the names in `vars`; unknown names are left as written. */
export function fillPlaceholders(text: string, vars: Record<string, string>): string {
  return text.replace(
    PLACEHOLDER,
    (whole, name: string) => (Object.hasOwn(vars, name) ? vars[name] : undefined) ?? whole,
  );
}

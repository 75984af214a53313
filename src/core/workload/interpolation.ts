import { HpvsError } from '../errors.js';

/**
 * `${VAR}`, `${VAR:-default}` and `$VAR` as compose interpolates them; `$$` is a literal `$`.
 * Names without a value or default are added to `missing` (compose would put an empty string).
 */
export function substituteCompose(
  text: string,
  env: Record<string, string>,
  missing?: Set<string>,
): string {
  return text.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (match, braced: string | undefined, fallback: string | undefined, bare: string | undefined) => {
      if (match === '$$') return '$';
      const name = braced ?? bare!;
      const value = env[name] ?? fallback;
      if (value === undefined) missing?.add(name);
      return value ?? '';
    },
  );
}

/** Fills `{{ .Env.NAME }}` in every string of the play templates. */
export function renderTemplates(resources: unknown[], env: Record<string, string>): unknown[] {
  const render = (value: unknown): unknown => {
    if (typeof value === 'string') {
      return value.replace(/\{\{\s*\.Env\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_m, name: string) => {
        if (env[name] === undefined) {
          throw new HpvsError(
            'RUNTIME_FAILED',
            `workload.play.templates uses {{ .Env.${name} }}, but neither workload.env nor env.env sets ${name}`,
          );
        }
        return env[name]!;
      });
    }
    if (Array.isArray(value)) return value.map(render);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, render(v)]));
    }
    return value;
  };
  return resources.map(render);
}

/** A YAML or JSON mapping as plain data: what parsed contracts, manifests and reports hold. */
export type Mapping = Record<string, unknown>;

/** A mapping, not an array, null or a scalar. */
export function isMapping(value: unknown): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value as a mapping, or undefined when it is not one. */
export function asMapping(value: unknown): Mapping | undefined {
  return isMapping(value) ? value : undefined;
}

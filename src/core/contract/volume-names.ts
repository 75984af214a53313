/**
 * Each data volume's LUKS passphrase is derived from a seed in workload and one in env, joined
 * by the volume's name, so both sections must name the same volumes (the runtime stops with
 * HPL07015E otherwise). Validate, inspect and the emulator all compare names with this.
 */

/** What a volume may be called: the runtime's schema pattern, shared by every check of a name. */
export const VOLUME_NAME_PATTERN = '^[a-z_][a-z0-9_-]*$';

export interface VolumeNameMismatch {
  onlyInWorkload: string[];
  onlyInEnv: string[];
}

/** The names of a section's `volumes` mapping, in the order written; none when it is not one. */
export function volumeNames(section: unknown): string[] {
  const volumes =
    section !== null && typeof section === 'object'
      ? (section as Record<string, unknown>)['volumes']
      : undefined;
  return volumes !== null && typeof volumes === 'object' && !Array.isArray(volumes)
    ? Object.keys(volumes)
    : [];
}

/** The names one section has and the other lacks; both empty when they match. */
export function volumeNameMismatch(
  workloadNames: readonly string[],
  envNames: readonly string[],
): VolumeNameMismatch {
  const workload = new Set(workloadNames);
  const env = new Set(envNames);
  return {
    onlyInWorkload: workloadNames.filter((name) => !env.has(name)),
    onlyInEnv: envNames.filter((name) => !workload.has(name)),
  };
}

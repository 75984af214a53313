/** Commander collector for a repeatable flag (`--env A=1 --env B=2`, `--root a --root b`). */
export const collect = (value: string, previous: string[]): string[] => [...previous, value];

/**
 * Runtime versions as IBM's file names carry them (`1.0.29`, `26.7.2`, sometimes four parts):
 * compared part by part as numbers, a missing part counting as 0 (contract-go's "latest").
 */
export function compareRuntimeVersions(a: string, b: string): number {
  const left = a.split('.').map(Number);
  const right = b.split('.').map(Number);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const difference = (left[i] ?? 0) - (right[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

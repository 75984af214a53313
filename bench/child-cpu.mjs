import { existsSync, readFileSync } from 'node:fs';

/**
 * CPU time (user + system, ms) of all the children this process has waited for: fields
 * cutime and cstime of /proc/self/stat, in clock ticks of 1/100 s. Unlike wall time it does
 * not depend on what else the machine is doing, so it shows the work a command costs.
 */
export function waitedChildrenCpuMs() {
  if (!existsSync('/proc/self/stat')) return NaN;
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
}

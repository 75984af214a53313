/**
 * Which `env.logging` target the runtime forwards logs to: exactly one of syslog or logRouter
 * (IBM Cloud Logs); logDNA is the 2023 runtime's target, read only when no current target is
 * given and ignored beside one. Validate, inspect and the emulator all choose with this.
 */

export const CURRENT_LOGGING_TARGETS = ['syslog', 'logRouter'] as const;
export const LEGACY_LOGGING_TARGET = 'logDNA';

export type LoggingTarget = (typeof CURRENT_LOGGING_TARGETS)[number] | typeof LEGACY_LOGGING_TARGET;

export type LoggingChoice =
  /** The target used; `ignored` names a logDNA beside it. */
  | { kind: 'target'; target: LoggingTarget; ignored?: typeof LEGACY_LOGGING_TARGET }
  /** More than one current target: the runtime cannot tell which to use. */
  | { kind: 'several'; targets: string[] }
  /** No target at all; `unknown` lists keys that name none. */
  | { kind: 'none'; unknown: string[] };

export function chooseLoggingTarget(logging: Record<string, unknown>): LoggingChoice {
  const keys = Object.keys(logging);
  const current = CURRENT_LOGGING_TARGETS.filter((target) => keys.includes(target));
  const legacy = keys.includes(LEGACY_LOGGING_TARGET);
  if (current.length > 1) return { kind: 'several', targets: current };
  if (current.length === 1) {
    return {
      kind: 'target',
      target: current[0]!,
      ...(legacy ? { ignored: LEGACY_LOGGING_TARGET } : {}),
    };
  }
  if (legacy) return { kind: 'target', target: LEGACY_LOGGING_TARGET };
  return { kind: 'none', unknown: keys };
}

export const LOGDNA_LEGACY_MESSAGE =
  'logDNA is deprecated: only images from 2023 (contract schema 1.0.51) read it, current images reject the contract; use logRouter (IBM Cloud Logs) or syslog';

export function logDnaIgnoredMessage(used: string): string {
  return `logDNA is deprecated and current images ignore it; ${used} is used`;
}

/** The syslog port when `env.logging.syslog.port` is left out. */
export const DEFAULT_SYSLOG_PORT = 514;

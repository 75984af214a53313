import { terminalSafe } from '../core/text/terminal-safe-text.js';

/**
 * Diagnostics go to stderr so that stdout carries only the command's result. Each is one line
 * whatever it quotes from an input.
 */
export function warn(message: string): void {
  process.stderr.write(`hpvs-ctl: warning: ${terminalSafe(message)}\n`);
}

export function note(message: string): void {
  process.stderr.write(`${terminalSafe(message)}\n`);
}

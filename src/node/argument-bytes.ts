import { readFileSync } from 'node:fs';

/**
 * The last `count` command-line arguments as the bytes the shell passed, where the system
 * shows them (Linux `/proc/self/cmdline`), or undefined. Node.js decodes arguments as UTF-8
 * and puts U+FFFD for bytes outside it, which names no file on disk; the bytes show what was
 * typed. Undefined too when the bytes do not decode to `argv` (a retitled process).
 */
export function argumentBytes(argv: readonly string[]): Buffer[] | undefined {
  let cmdline: Buffer;
  try {
    cmdline = readFileSync('/proc/self/cmdline');
  } catch {
    return undefined;
  }
  const all: Buffer[] = [];
  let start = 0;
  for (let end = cmdline.indexOf(0); end >= 0; end = cmdline.indexOf(0, start)) {
    all.push(cmdline.subarray(start, end));
    start = end + 1;
  }
  if (all.length < argv.length) return undefined;
  const bytes = all.slice(all.length - argv.length);
  return bytes.every((arg, index) => arg.toString('utf8') === argv[index]) ? bytes : undefined;
}

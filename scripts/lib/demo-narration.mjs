// How both demos (scripts/demo.mjs, scripts/demo-ccco.mjs) tell their story: chapters per
// persona, the commands as a user would type them, and the first lines each prints.
import { spawnSync } from 'node:child_process';

const color = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code, text) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
export const bold = (text) => paint('1', text);
export const dim = (text) => paint('2', text);
export const green = (text) => paint('32', text);
export const red = (text) => paint('31', text);

export function chapter(persona, text) {
  console.log(`\n${bold(`== ${persona}`)} ${text}`);
}

export function say(text) {
  console.log(`   ${text}`);
}

/**
 * The closing table: each step's line (`[what, where, status]`, status 'ok' unless 'skip') and
 * how long the demo took since `started`.
 */
export function printSummary(summary, started) {
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`\n${bold('Summary')} ${dim(`(${seconds} s)`)}`);
  const width = Math.max(...summary.map(([what]) => what.length));
  for (const [what, where, status = 'ok'] of summary) {
    const mark = status === 'ok' ? green('ok  ') : dim('skip');
    console.log(`  ${mark}  ${what.padEnd(width)}  ${dim(where)}`);
  }
}

/**
 * A runner of the CLI at `cli` in the folder `work`: it shows the command, the first `show`
 * lines of its output, and fails the demo when the exit status is not `expectExit`.
 */
export function cliRunner(cli, work) {
  return function hpvs(args, { show = 3, expectExit = 0, input } = {}) {
    console.log(dim(`   $ hpvs-ctl ${args.join(' ')}`));
    const result = spawnSync(process.execPath, [cli, ...args], {
      cwd: work,
      input,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    const lines = `${result.stdout}${result.stderr}`.trimEnd().split('\n').filter(Boolean);
    for (const line of lines.slice(0, show)) console.log(dim(`     ${line}`));
    if (lines.length > show && show > 0)
      console.log(dim(`     ... (${lines.length - show} more lines)`));
    if (result.status !== expectExit) {
      throw new Error(`hpvs-ctl ${args[0]} exited ${result.status}:\n${lines.join('\n')}`);
    }
    return result.stdout;
  };
}

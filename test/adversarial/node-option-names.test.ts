import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';

/**
 * No hpvs-ctl flag may share a name with a Node.js option (issue 9 item 1): Node 20 takes
 * `--env-file FILE` even after the script path, loads it before hpvs-ctl starts and applies a
 * NODE_OPTIONS line in it, so a flag of that name ran code from a data file. Nothing hpvs-ctl
 * does at run time can stop Node, so the names must differ. The list comes from the node
 * binary that runs the tests: every option its --help names, and every option NODE_OPTIONS
 * accepts.
 */

/** Every CLI has these; Node reads its own only before the script path. */
const UNIVERSAL = new Set(['--help', '--version']);

function nodeOptionNames(): Set<string> {
  const help = spawnSync(process.execPath, ['--help'], { encoding: 'utf8' }).stdout;
  const names = new Set<string>();
  for (const match of help.matchAll(/(?<![\w-])--[a-z][a-z0-9-]*/g)) names.add(match[0]);
  for (const flag of process.allowedNodeEnvironmentFlags) {
    if (flag.startsWith('--')) names.add(flag.split('=')[0]!.replaceAll('_', '-'));
  }
  return names;
}

/** Every command path (`[]`, `['keys']`, `['keys', 'generate']`, ...) and the flags its --help lists. */
async function commandFlags(): Promise<Map<string, string[]>> {
  const flags = new Map<string, string[]>();
  const visit = async (path: string[]): Promise<void> => {
    const help = (await runCli([...path, '--help'])).stdout;
    const section = (title: string) =>
      help.split(/\n(?=\S)/).find((block) => block.startsWith(`${title}:`)) ?? '';
    flags.set(
      path.join(' ') || '(program)',
      [...section('Options').matchAll(/^ {2}(?:-\w, )?(--[a-z][\w-]*)/gm)].map(
        (match) => match[1]!,
      ),
    );
    const subcommands = [...section('Commands').matchAll(/^ {2}([a-z][\w-]*)/gm)]
      .map((match) => match[1]!)
      .filter((name) => name !== 'help');
    await Promise.all(subcommands.map((name) => visit([...path, name])));
  };
  await visit([]);
  return flags;
}

let crawled: Promise<Map<string, string[]>> | undefined;
const allCommandFlags = () => (crawled ??= commandFlags());

describe('flag names versus Node.js options', () => {
  it('the lists are real: Node knows --env-file and --import, and every command has flags', async () => {
    const node = nodeOptionNames();
    expect(node.has('--env-file')).toBe(true);
    expect(node.has('--import')).toBe(true);
    const flags = await allCommandFlags();
    for (const command of [
      'encrypt',
      'env',
      'workload',
      'keys generate',
      'attestation verify',
      'emulator log-server',
    ]) {
      expect(flags.get(command)?.length, command).toBeGreaterThan(1);
    }
  });

  it('no flag of any command is a Node.js option', async () => {
    const node = nodeOptionNames();
    const collisions = [...(await allCommandFlags())].flatMap(([command, flags]) =>
      flags
        .filter((flag) => node.has(flag) && !UNIVERSAL.has(flag))
        .map((flag) => `${command} ${flag}`),
    );
    expect(collisions).toEqual([]);
  });
});

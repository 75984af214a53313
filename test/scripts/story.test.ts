import type { Command } from '@commander-js/extra-typings';
import { describe, expect, it } from 'vitest';
import { emulatorChain, recordFiles, story, type Story } from '../../scripts/lib/story.mjs';
import { buildProgram } from '../../src/cli/cli.js';

/** The command of the program at these words, e.g. ['emulator', 'boot']. */
function commandAt(program: Command, words: readonly string[]): Command | undefined {
  let command: Command | undefined = program;
  for (const word of words)
    command = command?.commands.find((child) => child.name() === word) as Command | undefined;
  return command;
}

describe('the story builder (scripts/lib/story.mjs)', () => {
  it('writes only flags the command has, so a renamed flag fails here and not in every caller', async () => {
    const program = (await buildProgram()) as unknown as Command;
    const steps = Object.entries(story) as [string, Story[keyof Story]][];
    expect(steps.length).toBeGreaterThan(10);
    for (const [name, step] of steps) {
      const command = commandAt(program, step.words);
      expect(command, `${name}: hpvs-ctl ${step.words.join(' ')}`).toBeDefined();
      const longs = new Set(command!.options.map((option) => option.long));
      const unknown = step.flags.filter((flag) => !longs.has(flag));
      expect(unknown, `${name}: hpvs-ctl ${step.words.join(' ')}`).toEqual([]);
    }
  });

  it('writes the operand first, then the flags in its own order: values, switches and repeats', () => {
    expect(
      story.emulatorBoot({
        outDir: 'instance',
        fastKdf: true,
        keepRunning: false,
        runtime: undefined,
        volumeImage: ['a=a.img', 'b=b.img'],
        state: 'hpcr',
        userData: 'user-data.yaml',
      }),
    ).toEqual([
      'emulator',
      'boot',
      'user-data.yaml',
      '--state',
      'hpcr',
      '--volume-image',
      'a=a.img',
      '--volume-image',
      'b=b.img',
      '--fast-kdf',
      '--out-dir',
      'instance',
    ]);
    expect(story.env({ syslogPort: 6514, env: ['A=1', 'B=2'] })).toEqual([
      'env',
      '--syslog-port',
      '6514',
      '--env',
      'A=1',
      '--env',
      'B=2',
    ]);
    expect(story.validate()).toEqual(['validate']);
  });

  it('refuses an option it does not know instead of leaving its flag out', () => {
    // @ts-expect-error: the misspelling the check is for
    expect(() => story.contract({ signkey: 'k.pem' })).toThrow(
      /hpvs-ctl contract: no option "signkey"/,
    );
  });

  it("names an emulator record's files and the state's public chain as attestation verify takes them", () => {
    expect(
      story.attestationVerify({
        ...recordFiles('instance/var/hyperprotect'),
        key: 'auditor/attestation-private.pem',
        ...emulatorChain('hpcr'),
        contract: 'user-data.yaml',
      }),
    ).toEqual([
      'attestation',
      'verify',
      '--record',
      'instance/var/hyperprotect/se-checksums.txt.enc',
      '--key',
      'auditor/attestation-private.pem',
      '--signature',
      'instance/var/hyperprotect/se-signature.bin',
      '--cert',
      'hpcr/public/attestation.crt',
      '--chain',
      'hpcr/public/intermediate.crt',
      '--root',
      'hpcr/public/root.crt',
      '--crl',
      'hpcr/public/intermediate.crl',
      '--crl',
      'hpcr/public/root.crl',
      '--contract',
      'user-data.yaml',
    ]);
  });
});

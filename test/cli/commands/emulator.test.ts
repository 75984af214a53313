import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { freeLoopbackPort, rsyslogSkipReason, startRsyslog } from '../../helpers/rsyslog.js';
import { CLI, isOneLineError, runCli } from '../../helpers/run-cli.js';
import { useTempDir } from '../../helpers/temp-dir.js';
import { hasTool, runTool } from '../../helpers/tools.js';
import { emulatorChain, recordFiles, story } from '../../../scripts/lib/story.mjs';

const tempDir = useTempDir('hpvs-emulator-cli-');
/** A fresh folder per test inside the file's temporary directory. */
function folder(name: string): string {
  const path = join(tempDir(), name);
  mkdirSync(path, { recursive: true });
  return path;
}
const TEMPLATE_COMPOSE = join(import.meta.dirname, '..', '..', '..', 'templates', 'compose');

async function ok(args: string[], cwd: string): Promise<string> {
  const result = await runCli(args, { cwd });
  expect(result.stderr + result.stdout, `hpvs-ctl ${args.join(' ')}`).not.toMatch(/error:/);
  expect(result.code, `hpvs-ctl ${args.join(' ')}: ${result.stderr}`).toBe(0);
  return result.stdout;
}

/** The auditor's check of a record the emulator wrote, against the emulator's public chain. */
function verifyRecord(cwd: string, record: string, contract: string, extra: string[] = []) {
  return runCli(
    [
      ...story.attestationVerify({
        ...recordFiles(record),
        key: 'auditor/attestation-private.pem',
        ...emulatorChain('hpcr'),
        contract,
      }),
      ...extra,
    ],
    { cwd },
  );
}

describe('emulator init', () => {
  it("creates an RSA-4096 sha512 identity like IBM's, private keys 0600, and refuses to overwrite it", async () => {
    const dir = folder('init');
    const state = join(dir, 'hpcr');
    const stdout = await ok(['emulator', 'init', '--state', state], dir);
    expect(stdout).toContain(`${state}/public/encrypt.crt`);
    for (const name of [
      'root.crt',
      'intermediate.crt',
      'encrypt.crt',
      'attestation.crt',
      'root.crl',
      'intermediate.crl',
    ]) {
      expect(existsSync(join(state, 'public', name)), name).toBe(true);
    }
    expect(statSync(join(state, 'private')).mode & 0o777).toBe(0o700);
    for (const name of [
      'root-key.pem',
      'intermediate-key.pem',
      'encrypt-key.pem',
      'attestation-key.pem',
    ]) {
      expect(statSync(join(state, 'private', name)).mode & 0o777, name).toBe(0o600);
    }
    if (hasTool('openssl')) {
      const pub = (name: string) => join(state, 'public', name);
      const text = runTool('openssl', [
        'x509',
        '-in',
        pub('encrypt.crt'),
        '-noout',
        '-text',
      ]).stdout.toString();
      expect(text).toContain('Public-Key: (4096 bit)');
      expect(text).toContain('Signature Algorithm: sha512WithRSAEncryption');
      expect(text).toContain('X509v3 CRL Distribution Points');
      // openssl as the oracle: both leaves chain to the root with every CRL checked
      const verify = runTool('openssl', [
        'verify',
        '-crl_check_all',
        '-CAfile',
        pub('root.crt'),
        '-untrusted',
        pub('intermediate.crt'),
        '-CRLfile',
        pub('root.crl'),
        '-CRLfile',
        pub('intermediate.crl'),
        pub('encrypt.crt'),
        pub('attestation.crt'),
      ]);
      expect(verify.stdout.toString(), verify.stderr).toBe(
        `${pub('encrypt.crt')}: OK\n${pub('attestation.crt')}: OK\n`,
      );
    }
    const before = readFileSync(join(state, 'public', 'encrypt.crt'));
    const again = await runCli(['emulator', 'init', '--state', state, '--key-bits', '2048']);
    expect(again.code).toBe(1);
    expect(isOneLineError(again.stderr)).toBe(true);
    expect(again.stderr).toMatch(/already holds an emulator state; pass --force/);
    expect(readFileSync(join(state, 'public', 'encrypt.crt')).equals(before)).toBe(true);
    await ok(['emulator', 'init', '--state', state, '--key-bits', '2048', '--force'], dir);
    expect(readFileSync(join(state, 'public', 'encrypt.crt')).equals(before)).toBe(false);
    expect(readFileSync(join(state, 'state.json'), 'utf8')).toContain(
      '"imageVersion": "25.11.0-emulator"',
    );
  }, 60_000);

  it('refuses a bad image version (usage), a folder holding other files and a path through a file', async () => {
    const dir = folder('init-bad');
    const bad = await runCli(story.emulatorInit({ state: join(dir, 'x'), imageVersion: 'latest' }));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/invalid --image-version "latest"/);
    const busy = join(dir, 'busy');
    mkdirSync(busy);
    writeFileSync(join(busy, 'notes.txt'), 'mine');
    const refused = await runCli(['emulator', 'init', '--state', busy, '--key-bits', '2048']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/already holds files \(notes\.txt\)/);
    writeFileSync(join(dir, 'a-file'), 'mine');
    for (const [state, cause] of [
      ['a-file', 'is a file'],
      ['a-file/hpcr', 'a part of the path is a file, not a folder'],
    ] as const) {
      const result = await runCli(['emulator', 'init', '--state', state, '--key-bits', '2048'], {
        cwd: dir,
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        `hpvs-ctl: error: ${state}: ${cause}; give a folder for the emulator state\n`,
      );
    }
  });
});

describe('emulator boot and log-server, bad input', () => {
  it('explains a missing state, an unknown runtime and conflicting volume images', async () => {
    const dir = folder('boot-bad');
    writeFileSync(join(dir, 'user-data.yaml'), 'workload: x\nenv: y\n');
    const missing = await runCli(['emulator', 'boot', 'user-data.yaml', '--state', 'nowhere'], {
      cwd: dir,
    });
    expect(missing.code).toBe(1);
    expect(isOneLineError(missing.stderr)).toBe(true);
    expect(missing.stderr).toMatch(
      /nowhere: not an emulator state .*emulator init --state nowhere/,
    );
    await ok(['emulator', 'init', '--state', 'hpcr', '--key-bits', '2048'], dir);
    const runtime = await runCli(
      ['emulator', 'boot', 'user-data.yaml', '--state', 'hpcr', '--runtime', 'docker'],
      { cwd: dir },
    );
    expect(runtime.code).toBe(2);
    expect(runtime.stderr).toMatch(/unknown runtime "docker"/);
    const images = await runCli(
      story.emulatorBoot({
        userData: 'user-data.yaml',
        state: 'hpcr',
        volumeImage: ['a.img', 'b.img'],
      }),
      { cwd: dir },
    );
    expect(images.code).toBe(2);
    expect(images.stderr).toMatch(/at most one --volume-image FILE without a name/);
    const noFile = await runCli(['emulator', 'boot', 'absent.yaml', '--state', 'hpcr'], {
      cwd: dir,
    });
    expect(noFile.code).toBe(1);
    expect(noFile.stderr).toMatch(/absent\.yaml: user data file not found/);
  });

  it('refuses an --out-dir that is a file or holds files of its own, and a --state that is a file', async () => {
    const dir = folder('boot-paths');
    await ok(['emulator', 'init', '--state', 'hpcr', '--key-bits', '2048'], dir);
    writeFileSync(join(dir, 'user-data.yaml'), 'workload: x\nenv: y\n');
    writeFileSync(join(dir, 'a-file'), 'mine');
    mkdirSync(join(dir, 'project', 'workload'), { recursive: true });
    writeFileSync(join(dir, 'project', 'workload', 'notes.txt'), 'mine');
    const boot = (...args: string[]) =>
      runCli(['emulator', 'boot', 'user-data.yaml', ...args], { cwd: dir });
    for (const [args, message] of [
      [
        ['--state', 'hpcr', '--out-dir', 'a-file'],
        'a-file: is a file, not a folder; give a folder for the emulator instance',
      ],
      [
        ['--state', 'hpcr', '--out-dir', 'a-file/instance'],
        'a-file/instance: a part of the path is a file, not a folder; give a folder for the emulator instance',
      ],
      [
        ['--state', 'hpcr', '--out-dir', 'project'],
        'project: holds files the emulator did not create (workload); give a new or empty folder for the emulator instance',
      ],
      [
        ['--state', 'a-file'],
        'a-file: is a file, not an emulator state folder; give the folder made by hpvs-ctl emulator init',
      ],
    ] as const) {
      const result = await boot(...args);
      expect(result.code, args.join(' ')).toBe(1);
      expect(isOneLineError(result.stderr), result.stderr).toBe(true);
      expect(result.stderr).toBe(`hpvs-ctl: error: ${message}\n`);
      // refused before the bootloader: nothing printed, nothing written
      expect(result.stdout).toBe('');
    }
    expect(readFileSync(join(dir, 'a-file'), 'utf8')).toBe('mine');
    expect(readFileSync(join(dir, 'project', 'workload', 'notes.txt'), 'utf8')).toBe('mine');
    expect(readdirSync(join(dir, 'project'))).toEqual(['workload']);
  });

  it('boots an unparsable contract to HPL11001E and HPL10000E with exit 1', async () => {
    const dir = folder('boot-unparsable');
    await ok(['emulator', 'init', '--state', 'hpcr', '--key-bits', '2048'], dir);
    writeFileSync(join(dir, 'user-data.yaml'), 'workload: [unclosed\n');
    const result = await runCli(['emulator', 'boot', 'user-data.yaml', '--state', 'hpcr'], {
      cwd: dir,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(
      /^hpl-bootloader\[\d+\]: HPL11001E: Unable to parse the contract: user-data\.yaml:\d+:\d+: invalid YAML/m,
    );
    expect(result.stdout).toMatch(
      /^hpl-catch-failed\[\d+\]: HPL10000E: One or more service failed -> systemd triggered hpl-catch-failed service$/m,
    );
    expect(result.stdout).toMatch(/^hpl-catch-failed\[\d+\]: Shutdown scheduled for /m);
  });

  it('log-server refuses a bad port (usage) and a missing certificate (one line)', async () => {
    const port = await runCli(story.logServer({ port: 'abc', ca: 'a', cert: 'b', key: 'c' }));
    expect(port.code).toBe(2);
    expect(port.stderr).toMatch(/invalid --port "abc"/);
    const missing = await runCli(story.logServer({ port: 0, ca: 'none.crt', cert: 'b', key: 'c' }));
    expect(missing.code).toBe(1);
    expect(isOneLineError(missing.stderr)).toBe(true);
    expect(missing.stderr).toMatch(/none\.crt: CA certificate file not found/);
  });
});

describe('emulator log-server, output failures', () => {
  const logServerArgs = (out: string) =>
    story.logServer({
      port: 0,
      ca: 'tls/ca.crt',
      cert: 'tls/server.crt',
      key: 'tls/server-key.pem',
      out,
    });

  it('refuses an --out it cannot open before listening, in one line', async () => {
    const dir = folder('log-server-out');
    await ok(['certs', 'syslog', '--ip', '127.0.0.1', '--out-dir', 'tls', '--bits', '2048'], dir);
    const result = await runCli(logServerArgs('missing/received.log'), { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'hpvs-ctl: error: missing/received.log: cannot open for appending (its folder does not exist)\n',
    );
    expect(existsSync(join(dir, 'missing'))).toBe(false);
  });

  it.skipIf(!existsSync('/dev/full'))(
    'stops with one line and exit 1 when a received message cannot be written, closing the connection',
    async () => {
      const dir = folder('log-server-full');
      await ok(['certs', 'syslog', '--ip', '127.0.0.1', '--out-dir', 'tls', '--bits', '2048'], dir);
      const child = spawn(process.execPath, [CLI, ...logServerArgs('/dev/full')], {
        cwd: dir,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      const port = await new Promise<number>((resolve, reject) => {
        child.stderr!.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
          const match = /listening on 127\.0\.0\.1:(\d+)/.exec(stderr);
          if (match) resolve(Number(match[1]));
        });
        child.once('exit', () => reject(new Error(`log-server exited early: ${stderr}`)));
      });
      onTestFinished(() => {
        if (child.exitCode === null) child.kill('SIGTERM');
      });
      const socket = tlsConnect({
        host: '127.0.0.1',
        port,
        ca: readFileSync(join(dir, 'tls', 'ca.crt')),
        cert: readFileSync(join(dir, 'tls', 'client.crt')),
        key: readFileSync(join(dir, 'tls', 'client-key.pem')),
      });
      const socketClosed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      socket.on('error', () => undefined);
      socket.once('secureConnect', () => socket.write('<14>1 - host app - - - lost message\n'));
      await socketClosed;
      expect(await exited).toBe(1);
      const errors = stderr.split('\n').filter((line) => line.startsWith('hpvs-ctl:'));
      expect(errors).toEqual([
        'hpvs-ctl: error: /dev/full: cannot append (no space left on the device)',
      ]);
      expect(stderr).not.toMatch(/\n\s+at /);
    },
  );
});

/**
 * The whole story through the CLI: the emulator's identity, the provider's encrypted workload,
 * the auditor's key, the deployer's syslog TLS material, env and signed contract, a real
 * rsyslogd (and, separately, `emulator log-server`) receiving the logs, a LUKS2 volume image
 * and the auditor's verification of the attestation record.
 */
describe('the persona story, end to end through the CLI', () => {
  const dir = () => folder('story');
  const seeds = { workload: 'provider-seed-0123456789', env: 'deployer-seed-abcdefghij' };

  beforeAll(async () => {
    const cwd = dir();
    for (const folder of ['provider', 'auditor', 'deployer']) mkdirSync(join(cwd, folder));
    writeFileSync(join(cwd, 'provider/workload.seed'), `${seeds.workload}\n`, { mode: 0o600 });
    writeFileSync(join(cwd, 'deployer/env.seed'), `${seeds.env}\n`, { mode: 0o600 });
    await Promise.all([
      ok(story.emulatorInit({ state: 'hpcr', keyBits: 2048 }), cwd),
      ok(story.keysGenerate({ outDir: 'auditor', name: 'attestation', bits: 2048 }), cwd),
      ok(story.keysGenerate({ outDir: 'deployer', name: 'signing', bits: 2048 }), cwd),
      ok(story.certsSyslog({ ip: '127.0.0.1', outDir: 'deployer/syslog', bits: 2048 }), cwd),
    ]);
    await ok(
      story.workload({
        compose: TEMPLATE_COMPOSE,
        volume: 'data',
        mount: '/mnt/data',
        seedFile: 'provider/workload.seed',
        env: 'GREETING=hi',
        cert: 'hpcr/public/encrypt.crt',
        out: 'provider/workload.enc',
      }),
      cwd,
    );
  }, 120_000);

  /** A signed contract logging to 127.0.0.1:port with the client pair from `clientDir`. */
  async function contractFor(
    port: number,
    name: string,
    clientDir = 'deployer/syslog',
  ): Promise<string> {
    const cwd = dir();
    await ok(
      story.env({
        syslogHost: '127.0.0.1',
        syslogPort: port,
        syslogCa: 'deployer/syslog/ca.crt',
        syslogCert: `${clientDir}/client.crt`,
        syslogKey: `${clientDir}/client-key.pem`,
        volume: 'data',
        seedFile: 'deployer/env.seed',
        env: 'STAGE=test',
        out: `deployer/${name}-env.yaml`,
      }),
      cwd,
    );
    await ok(
      story.contract({
        workload: 'provider/workload.enc',
        env: `deployer/${name}-env.yaml`,
        attestationKey: 'auditor/attestation-public.pem',
        cert: 'hpcr/public/encrypt.crt',
        signKey: 'deployer/signing-private.pem',
        out: `${name}.yaml`,
      }),
      cwd,
    );
    return `${name}.yaml`;
  }

  const skipStory =
    rsyslogSkipReason() ??
    (hasTool('cryptsetup')
      ? undefined
      : 'cryptsetup is not installed (apt-get install cryptsetup-bin)');
  it.skipIf(skipStory !== undefined)(
    `logs reach a real rsyslogd (x509/certvalid), the LUKS2 volume persists, the record verifies${skipStory ? ` (skipped: ${skipStory})` : ''}`,
    async () => {
      const cwd = dir();
      const rsyslogDir = join(cwd, 'rsyslog');
      mkdirSync(rsyslogDir);
      const rsyslog = await startRsyslog({
        dir: rsyslogDir,
        caFile: join(cwd, 'deployer/syslog/ca.crt'),
        certFile: join(cwd, 'deployer/syslog/server.crt'),
        keyFile: join(cwd, 'deployer/syslog/server-key.pem'),
      });
      try {
        const userData = await contractFor(rsyslog.port, 'user-data');
        const boot = (outDir: string) =>
          runCli(
            story.emulatorBoot({
              userData,
              state: 'hpcr',
              volumeImage: 'data.img',
              fastKdf: true,
              outDir,
            }),
            { cwd },
          );
        const first = await boot('instance');
        expect(first.code, first.stdout + first.stderr).toBe(0);
        expect(first.stdout).toMatch(/HPL10001I: Services succeeded/);
        // the console says the CLI's flags where the emulator names the boot's inputs
        expect(first.stdout).toMatch(
          /new LUKS2 volume formatted in data\.img \(--fast-kdf: PBKDF2, test strength only\)$/m,
        );
        const output = await rsyslog.waitForOutput('HPL10001I');
        // RFC 5424 as rsyslog stored it, with the boot lines replayed before logging came up
        expect(output).toMatch(
          /^<30>1 \S+ hpcr-emulator-\S+ hpl-bootloader \d+ HPL11099I - HPL11099I: bootloader end$/m,
        );
        expect(output).toMatch(
          /hpl-logging \d+ HPL01010I - HPL01010I: Logging has been setup successfully\./,
        );
        expect(output.indexOf('HPL11099I')).toBeLessThan(output.indexOf('HPL01010I'));
        const second = await boot('instance2');
        expect(second.code, second.stdout).toBe(0);
        expect(second.stdout).toMatch(/existing LUKS2 volume in data\.img unlocked/);
        const unknown = await runCli(
          [
            'emulator',
            'boot',
            userData,
            '--state',
            'hpcr',
            '--volume-image',
            'nope=data.img',
            '--out-dir',
            'instance3',
          ],
          { cwd },
        );
        expect(unknown.code, unknown.stdout).toBe(1);
        expect(unknown.stdout).toMatch(
          /HPL07013E: --volume-image names the volume nope, which the contract does not have$/m,
        );

        const record = 'instance/var/hyperprotect';
        const verify = await verifyRecord(cwd, record, userData, [
          '--reference',
          'hpcr/public/reference.txt',
          '--json',
        ]);
        expect(verify.code, verify.stdout + verify.stderr).toBe(0);
        const verdict = JSON.parse(verify.stdout) as {
          ok: boolean;
          checks: { id: string; status: string }[];
        };
        expect(verdict.ok).toBe(true);
        expect(verdict.checks.map((check) => `${check.id}:${check.status}`)).toEqual(
          expect.arrayContaining([
            'decrypt:pass',
            'signature:pass',
            'chain:pass',
            'validity:pass',
            'crl:pass',
            'contract:user-data:pass',
            'contract:workload:pass',
            'contract:env:pass',
            'reference:root.tar.gz:pass',
            'reference:baseimage:pass',
          ]),
        );
        // the same record does not match a different contract
        const other = await contractFor(rsyslog.port, 'other');
        const mismatch = await verifyRecord(cwd, record, other);
        expect(mismatch.code).toBe(1);
        expect(mismatch.stdout).toMatch(/FAIL contract:user-data/);

        // rsyslogd (gtls, x509/certvalid) refuses a client certificate from another CA
        await ok(story.certsSyslog({ ip: '127.0.0.1', outDir: 'stranger', bits: 2048 }), cwd);
        const stranger = await contractFor(rsyslog.port, 'stranger', 'stranger');
        const refused = await runCli(
          ['emulator', 'boot', stranger, '--state', 'hpcr', '--out-dir', 'instance-stranger'],
          { cwd },
        );
        expect(refused.code).toBe(1);
        expect(refused.stdout).toMatch(
          /HPL01001E: Logging setup failed: the syslog server 127\.0\.0\.1:\d+ refused the client certificate/,
        );
      } finally {
        await rsyslog.stop();
      }
    },
    60_000,
  );

  describe('with hpvs-ctl emulator log-server as the receiver', () => {
    let server: ChildProcess | undefined;
    let port: number;
    let ready: Promise<void>;

    beforeAll(async () => {
      port = await freeLoopbackPort();
      server = spawn(
        process.execPath,
        [
          CLI,
          ...story.logServer({
            port,
            ca: 'deployer/syslog/ca.crt',
            cert: 'deployer/syslog/server.crt',
            key: 'deployer/syslog/server-key.pem',
            out: 'received.log',
          }),
        ],
        { cwd: dir(), stdio: ['ignore', 'ignore', 'pipe'] },
      );
      ready = new Promise((resolve, reject) => {
        let stderr = '';
        server!.stderr!.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
          if (stderr.includes('listening on')) resolve();
        });
        server!.once('exit', (code) => reject(new Error(`log-server exited ${code}: ${stderr}`)));
      });
      await ready;
    });

    afterAll(async () => {
      if (server && server.exitCode === null) {
        const exited = new Promise((resolve) => server!.once('exit', resolve));
        server.kill('SIGTERM');
        await exited;
      }
    });

    it('receives every console line of a boot, and the boot fails once the server is gone', async () => {
      const cwd = dir();
      const userData = await contractFor(port, 'log-server');
      const result = await runCli(
        ['emulator', 'boot', userData, '--state', 'hpcr', '--out-dir', 'instance-ls'],
        { cwd },
      );
      expect(result.code, result.stdout).toBe(0);
      const [instance, ...lines] = result.stdout.trimEnd().split('\n');
      // the emulator's own note about its folder is not a console line of the runtime
      expect(instance).toBe('hpcr-emulator: instance folder instance-ls created');
      const deadline = Date.now() + 5000;
      let received = '';
      while (Date.now() < deadline && !received.includes('HPL10001I')) {
        received = existsSync(join(cwd, 'received.log'))
          ? readFileSync(join(cwd, 'received.log'), 'utf8')
          : '';
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const messages = received.trimEnd().split('\n');
      expect(messages).toHaveLength(lines.length);
      messages.forEach((message, index) => {
        const text = lines[index]!.replace(/^[^:]+: /, '');
        expect(message.endsWith(` ${text}`), `${message} vs ${text}`).toBe(true);
      });
      expect(statSync(join(cwd, 'received.log')).mode & 0o777).toBe(0o600);

      const exited = new Promise((resolve) => server!.once('exit', resolve));
      server!.kill('SIGTERM');
      expect(await exited).toBe(0);
      const refused = await runCli(
        ['emulator', 'boot', userData, '--state', 'hpcr', '--out-dir', 'instance-ls2'],
        { cwd },
      );
      expect(refused.code).toBe(1);
      expect(refused.stdout).toMatch(
        /HPL01001E: Logging setup failed: cannot reach the syslog server 127\.0\.0\.1:\d+ \(connection refused\)/,
      );
      expect(refused.stdout).toMatch(/HPL10000E/);
    }, 30_000);
  });
});

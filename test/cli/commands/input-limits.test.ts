import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CLI,
  isOneLineError,
  PROJECT_ROOT,
  runCli,
  type CliResult,
} from '../../helpers/run-cli.js';
import { useTempDir } from '../../helpers/temp-dir.js';
import { hasTool } from '../../helpers/tools.js';
import { writeAuthoringFiles, type AuthoringFiles } from './contract-fixtures.js';
import { story } from '../../../scripts/lib/story.mjs';

/**
 * Every input is bounded while it is read (issue 9 item 6): /dev/zero, an endless pipe and a
 * FIFO stop at the input's limit with a one-line error, exit 1 and no output file.
 */
const tempDir = useTempDir('hpvs-ctl-input-limits-');
let f: AuthoringFiles;
let counter = 0;
const file = (name: string) => join(f.dir, name);

beforeAll(async () => {
  f = await writeAuthoringFiles(tempDir());
}, 30_000);

/** Expects the size error for `source` and no output file (nor a temporary one) at `out`. */
function expectTooLarge(result: CliResult, source: string, limit: string, out?: string): void {
  expect(result.code, result.stderr).toBe(1);
  expect(isOneLineError(result.stderr)).toBe(true);
  expect(result.stderr).toContain(`${source}: the `);
  expect(result.stderr).toContain(`is larger than ${limit}, the most hpvs-ctl reads for`);
  if (out !== undefined) expect(existsSync(out)).toBe(false);
  expect(readdirSync(f.dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
}

/** Runs the CLI with a standard input that never ends, until the CLI exits. */
function runWithEndlessStdin(args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: PROJECT_ROOT });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    const block = Buffer.alloc(1024 * 1024, 'a');
    let open = true;
    const pump = () => {
      while (open && child.stdin.write(block));
    };
    child.stdin.on('drain', pump);
    child.stdin.on('error', () => (open = false));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      open = false;
      const stdoutBytes = Buffer.concat(out);
      resolve({
        code: code ?? -1,
        stdout: stdoutBytes.toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        stdoutBytes,
        timedOut: false,
        signal,
      });
    });
    pump();
  });
}

describe('/dev/zero as every kind of input', () => {
  const out = () => file(`out-${++counter}`);
  const cases: [string, (o: string) => string[], string][] = [
    [
      'encrypt: the section',
      (o) => ['encrypt', '/dev/zero', '--cert', f.hpcrCert, '--out', o],
      '4 MiB',
    ],
    [
      'encrypt: the certificate',
      (o) => ['encrypt', f.signPub, '--cert', '/dev/zero', '--out', o],
      '1 MiB',
    ],
    [
      'decrypt: the token',
      (o) => ['decrypt', '/dev/zero', '--key', f.hpcrKey, '--out', o],
      '12 MiB',
    ],
    [
      'decrypt: the private key',
      (o) => ['decrypt', f.signPub, '--key', '/dev/zero', '--out', o],
      '1 MiB',
    ],
    ['sign: the user data', (o) => ['sign', '/dev/zero', '--key', f.signKey, '--out', o], '8 MiB'],
    ['validate: the contract', () => ['validate', '/dev/zero'], '8 MiB'],
    ['inspect: the user data', () => ['inspect', '/dev/zero'], '8 MiB'],
    ['verify: the user data', () => ['verify', '/dev/zero', '--signing-key', f.signPub], '8 MiB'],
    [
      'luks-passphrase: a seed',
      (o) =>
        story.luksPassphrase({
          envSeedFile: '/dev/zero',
          workloadSeedFile: f.workloadSeed,
          out: o,
        }),
      '64 KiB',
    ],
    [
      'contract: a section',
      (o) => ['contract', '--workload', '/dev/zero', '--env', f.envSeed, '--out', o],
      '4 MiB',
    ],
    [
      'contract --batch: the inventory',
      (o) => story.contract({ batch: '/dev/zero', workload: f.envSeed, env: f.envSeed, outDir: o }),
      '64 MiB',
    ],
    [
      'attestation decrypt: the record',
      (o) => ['attestation', 'decrypt', '--record', '/dev/zero', '--key', f.hpcrKey, '--out', o],
      '1 MiB',
    ],
    [
      'attestation verify: the signature',
      () =>
        story.attestationVerify({
          record: f.envSeed,
          signature: '/dev/zero',
          cert: f.hpcrCert,
          root: f.hpcrCert,
          noCrl: true,
        }),
      '64 KiB',
    ],
    [
      'workload: a resources file',
      (o) => ['workload', '--play-resources', '/dev/zero', '--out', o],
      '4 MiB',
    ],
    [
      'env: the syslog key',
      (o) =>
        story.env({
          syslogHost: 'h',
          syslogCa: f.caCert,
          syslogCert: f.caCert,
          syslogKey: '/dev/zero',
          out: o,
        }),
      '1 MiB',
    ],
  ];
  it.each(cases)('%s', async (_, args, limit) => {
    const target = out();
    expectTooLarge(await runCli(args(target)), '/dev/zero', limit, target);
  });
});

describe('an endless pipe on standard input', () => {
  it.each([
    ['encrypt', () => ['encrypt', '-', '--cert', f.hpcrCert, '--out', file('pipe-1')], '4 MiB'],
    ['decrypt', () => ['decrypt', '-', '--key', f.hpcrKey, '--out', file('pipe-2')], '12 MiB'],
    ['validate', () => ['validate', '-'], '8 MiB'],
    [
      'contract --batch',
      () => [
        'contract',
        '--batch',
        '-',
        '--workload',
        f.envSeed,
        '--env',
        f.envSeed,
        '--out-dir',
        file('pipe-3'),
      ],
      '64 MiB',
    ],
  ] as const)('%s stops at the limit', async (_, args, limit) => {
    const argv = args();
    const out = argv[argv.length - 1]!;
    expectTooLarge(
      await runWithEndlessStdin([...argv]),
      'stdin',
      limit,
      out.startsWith('/') ? out : undefined,
    );
  });
});

describe.skipIf(!hasTool('mkfifo') || !hasTool('yes'))('a FIFO fed forever', () => {
  it('encrypt stops at the section limit', async () => {
    const fifo = file('endless.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    // the writer dies of SIGPIPE once hpvs-ctl closes the FIFO
    const writer = spawn('sh', ['-c', 'exec yes > "$0"', fifo], { stdio: 'ignore' });
    const writerEnded = new Promise((resolve) => writer.on('exit', resolve));
    const target = file('fifo-out');
    const result = await runCli(['encrypt', fifo, '--cert', f.hpcrCert, '--out', target]);
    await writerEnded;
    expectTooLarge(result, fifo, '4 MiB', target);
  });
});

describe('regular files', () => {
  it('refuses a file over the limit from its size, and reads one at the limit', async () => {
    const over = file('over.yaml');
    writeFileSync(over, '');
    truncateSync(over, 4 * 1024 * 1024 + 1);
    const target = file('over.enc');
    expectTooLarge(
      await runCli(['encrypt', over, '--cert', f.hpcrCert, '--out', target]),
      over,
      '4 MiB',
      target,
    );
    const at = file('at.yaml');
    writeFileSync(at, Buffer.alloc(4 * 1024 * 1024, 'a'));
    const ok = await runCli(['encrypt', at, '--cert', f.hpcrCert, '--out', file('at.enc')]);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
  });
});

describe('folders to archive', () => {
  it('refuses more than 64 MiB of files', async () => {
    const dir = file('big-folder');
    mkdirSync(dir);
    writeFileSync(join(dir, 'docker-compose.yml'), 'services: {}\n');
    const big = join(dir, 'big.bin');
    writeFileSync(big, '');
    truncateSync(big, 64 * 1024 * 1024 + 1);
    const target = file('big.b64');
    const result = await runCli(['archive', dir, '--out', target]);
    expect(result.code).toBe(1);
    expect(isOneLineError(result.stderr)).toBe(true);
    expect(result.stderr).toContain(`${dir}: the folder holds more than 64 MiB of files`);
    expect(existsSync(target)).toBe(false);
  });

  it('refuses more than 10000 files and folders', async () => {
    const dir = file('many-files');
    mkdirSync(dir);
    for (let i = 0; i <= 10_000; i++) writeFileSync(join(dir, `f${i}`), '');
    const result = await runCli(['archive', dir]);
    expect(result.code).toBe(1);
    expect(isOneLineError(result.stderr)).toBe(true);
    expect(result.stderr).toContain('more than 10000 files and folders');
    expect(result.stdout).toBe('');
  }, 60_000);
});

describe.skipIf(!hasTool('python3'))('standard input on a terminal', () => {
  /** Runs the CLI with stdin on a pseudo-terminal; returns stderr's first line, then all. */
  const onTerminal = (args: string[], typed: string) => {
    const script = `
import json, os, pty, select, subprocess, sys
master, slave = pty.openpty()
child = subprocess.Popen(sys.argv[1:], stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
os.close(slave)
# the hint comes before hpvs-ctl waits; without one, type anyway after a while
ready, _, _ = select.select([child.stderr], [], [], 20)
first = child.stderr.readline().decode() if ready else ""
os.write(master, ${JSON.stringify(typed)}.encode() + b"\\x04")
out, rest = child.communicate(timeout=60)
print(json.dumps({"first": first, "code": child.returncode, "stdout": out.decode(), "stderr": rest.decode()}))
`;
    const result = spawnSync('python3', ['-c', script, process.execPath, CLI, ...args], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
    });
    expect(result.status, result.stderr).toBe(0);
    return JSON.parse(result.stdout) as {
      first: string;
      code: number;
      stdout: string;
      stderr: string;
    };
  };

  it('says what it waits for before reading a section from the terminal', () => {
    const result = onTerminal(['encrypt', '-', '--cert', f.hpcrCert], 'type: env\n');
    expect(result.first).toBe(
      'hpvs-ctl: reading the section from standard input (end with Ctrl-D)\n',
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^hyper-protect-basic\./);
  });

  it('says nothing when standard input is a pipe', async () => {
    const result = await runCli(['encrypt', '-', '--cert', f.hpcrCert], { stdin: 'type: env\n' });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });
});

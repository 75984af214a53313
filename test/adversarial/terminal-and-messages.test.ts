import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sendSyslogOverTls } from '../helpers/rsyslog.js';
import { CLI, runCli, type CliResult } from '../helpers/run-cli.js';
import { useTempDir } from '../helpers/temp-dir.js';
import { writeAdversarialFiles, type AdversarialFiles } from './fixtures.js';
import {
  controlCharacterIn,
  expectBounded,
  expectCleanFailure,
  HEAP_LIMIT_MB,
  KILL_AFTER_MS,
  runBounded,
} from './hostile-cli.js';

/**
 * What reaches the terminal: control characters from any input are shown escaped (item 14),
 * an error stays on one line whatever a flag value holds, a non-UTF-8 file name is shown and
 * used as the bytes it is, and exit codes follow the rule, 1 for bad content, 2 for usage
 * (item 15).
 */
const tempDir = useTempDir('hpvs-adversarial-terminal-');
let f: AdversarialFiles;
let dir: string;
beforeAll(async () => {
  dir = tempDir();
  f = await writeAdversarialFiles(join(dir, 'fixtures'));
}, 60_000);

/** An OSC title change, a screen clear, a bell and a C1 CSI: what a hostile name would carry. */
const ESCAPES = '\u001b]0;pwned\u0007\u001b[2J\u009b31m';

describe.concurrent(
  'a file name with escape sequences, in every command that names its input in an error (item 14)',
  () => {
    const missing = () => join(dir, `missing${ESCAPES}.yaml`);
    it.each<[string, (name: string) => string[]]>([
      ['validate', (n) => ['validate', n]],
      ['inspect', (n) => ['inspect', n]],
      ['sign', (n) => ['sign', n, '--key', f.signKey]],
      ['verify', (n) => ['verify', n, '--signing-key', f.signPub]],
      ['encrypt', (n) => ['encrypt', n, '--cert', f.hpcrCert]],
      ['decrypt', (n) => ['decrypt', n, '--key', f.hpcrKey]],
      ['archive', (n) => ['archive', n]],
      [
        'contract',
        (n) => ['contract', '--workload', n, '--env', f.env, '--out', join(dir, 'never.yaml')],
      ],
      ['workload', (n) => ['workload', '--compose', n]],
      ['env', (n) => ['env', '--log-router-host', 'h.example.com', '--log-router-key-file', n]],
      [
        'luks-passphrase',
        (n) => ['luks-passphrase', '--env-seed-file', n, '--workload-seed-file', f.workloadSeed],
      ],
      [
        'keys generate',
        (n) => ['keys', 'generate', '--passphrase-file', n, '--out-dir', join(dir, 'never-keys')],
      ],
      ['certs verify', (n) => ['certs', 'verify', n, '--root', f.caCert]],
      [
        'attestation verify',
        (n) => [
          'attestation',
          'verify',
          '--record',
          n,
          '--signature',
          n,
          '--cert',
          f.hpcrCert,
          '--root',
          f.hpcrCert,
        ],
      ],
      ['attestation decrypt', (n) => ['attestation', 'decrypt', '--record', n, '--key', f.hpcrKey]],
      ['emulator boot', (n) => ['emulator', 'boot', f.userData, '--state', n]],
      [
        'emulator log-server',
        (n) => [
          'emulator',
          'log-server',
          '--port',
          '0',
          '--ca',
          n,
          '--cert',
          f.hpcrCert,
          '--key',
          f.hpcrKey,
        ],
      ],
    ])('%s', async (label, args) => {
      const result = await runBounded(args(missing()));
      expectCleanFailure(result, label, { code: 1, message: /missing/, secrets: f.secrets });
    });
  },
);

describe.concurrent(
  'control characters inside YAML shown back by validate and inspect (item 14)',
  () => {
    const hostileKey = () => `${readFileSync(f.workload, 'utf8')}"x${ESCAPES}": 1\n`;
    it.each<[string, (file: string) => string[]]>([
      ['validate --section', (file) => ['validate', '--section', 'workload', file]],
      ['validate --json', (file) => ['validate', '--section', 'workload', '--json', file]],
    ])('%s', async (label, args) => {
      const file = join(dir, `escaped-key-${label.length}.yaml`);
      writeFileSync(file, hostileKey());
      const result = await runBounded(args(file));
      expectBounded(result, label);
      expect(result.stdout, label).toMatch(/x/);
      expect(controlCharacterIn(result.stdout), label).toBeUndefined();
      expect(controlCharacterIn(result.stderr), label).toBeUndefined();
    });

    it('inspect of user data whose env value carries escapes', async () => {
      const file = join(dir, 'escaped-user-data.yaml');
      writeFileSync(
        file,
        readFileSync(f.userData, 'utf8').replace(
          'ingest.example.com',
          `ingest${ESCAPES}.example.com`,
        ),
      );
      const result = await runBounded(['inspect', file]);
      expectBounded(result, 'inspect');
      expect(controlCharacterIn(result.stdout + result.stderr)).toBeUndefined();
    });
  },
);

describe('emulator log-server prints received messages with control characters escaped (item 14)', () => {
  it('a syslog message carrying escape sequences', async () => {
    const tls = join(dir, 'tls');
    const made = await runCli([
      'certs',
      'syslog',
      '--ip',
      '127.0.0.1',
      '--bits',
      '2048',
      '--out-dir',
      tls,
    ]);
    expect(made.code, made.stderr).toBe(0);
    const server = spawn(
      process.execPath,
      [
        `--max-old-space-size=${HEAP_LIMIT_MB}`,
        CLI,
        ...['emulator', 'log-server', '--port', '0', '--ca', join(tls, 'ca.crt')],
        ...['--cert', join(tls, 'server.crt'), '--key', join(tls, 'server-key.pem')],
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } },
    );
    let output = '';
    const seen = (pattern: RegExp) =>
      new Promise<RegExpExecArray>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`not seen: ${pattern}; output: ${output}`)),
          KILL_AFTER_MS,
        );
        const check = () => {
          const match = pattern.exec(output);
          if (match) {
            clearTimeout(timer);
            resolve(match);
          }
        };
        server.stdout.on('data', (chunk: Buffer) => ((output += chunk.toString('utf8')), check()));
        server.stderr.on('data', (chunk: Buffer) => ((output += chunk.toString('utf8')), check()));
        check();
      });
    try {
      const port = Number((await seen(/listening on 127\.0\.0\.1:(\d+)/))[1]);
      const sent = await sendSyslogOverTls({
        port,
        ca: readFileSync(join(tls, 'ca.crt')),
        cert: readFileSync(join(tls, 'client.crt')),
        key: readFileSync(join(tls, 'client-key.pem')),
        messages: [`<14>1 2026-12-01T00:00:00Z host app 1 - - before${ESCAPES}after`],
      });
      expect(sent.connected).toBe(true);
      await seen(/before.*after/s);
      expect(controlCharacterIn(output)).toBeUndefined();
    } finally {
      server.kill('SIGTERM');
    }
  });
});

describe.concurrent('flag values with escape sequences, echoed in usage errors (item 14)', () => {
  it.each<[string, (value: string) => string[]]>([
    [
      'certs syslog --hostname',
      (v) => ['certs', 'syslog', '--hostname', v, '--out-dir', join(dir, 'never-tls')],
    ],
    [
      'keys generate --name',
      (v) => ['keys', 'generate', '--name', v, '--out-dir', join(dir, 'never-keys')],
    ],
    [
      'init --log-host',
      (v) => [
        ...[
          'init',
          '--persona',
          'deployer',
          '--out-dir',
          join(dir, 'never-init'),
          '--logging',
          'syslog',
        ],
        ...['--log-host', v, '--volume', 'none', '--signing-key', 'none'],
      ],
    ],
    [
      'env --syslog-host',
      (v) => [
        'env',
        '--syslog-host',
        v,
        '--syslog-ca',
        f.caCert,
        '--syslog-cert',
        f.hpcrCert,
        '--syslog-key',
        f.hpcrKey,
      ],
    ],
    [
      'emulator init --image-version',
      (v) => ['emulator', 'init', '--state', join(dir, 'never-state'), '--image-version', v],
    ],
    ['encrypt --at', (v) => ['encrypt', f.workload, '--cert', f.hpcrCert, '--at', v]],
  ])('%s', async (label, args) => {
    const result = await runBounded(args(`logs${ESCAPES}.example.com`));
    expectCleanFailure(result, label, { code: [1, 2], secrets: f.secrets });
    for (const never of ['never-tls', 'never-keys', 'never-init', 'never-state']) {
      expect(existsSync(join(dir, never)), `${label} created ${never}`).toBe(false);
    }
  });
});

describe('one line whatever a flag value holds (item 15)', () => {
  it.each<[string, string[]]>([
    [
      'a file name with a newline',
      ['validate', `missing\nhpvs-ctl: error: forged second line.yaml`],
    ],
    [
      'a host name with a newline',
      ['env', '--syslog-host', 'logs.example.com\nforged', '--syslog-ca', 'nowhere.crt'],
    ],
  ])('%s', async (label, args) => {
    const result = await runBounded(args);
    expectCleanFailure(result, label, { code: [1, 2] });
    expect(
      result.stderr.split('\n').filter((line) => line.startsWith('hpvs-ctl: error:')),
      label,
    ).toHaveLength(1);
  });
});

/** Runs the CLI with argv bytes that are not UTF-8 (Node's spawn only passes strings). */
function runWithByteArgs(args: string[], byteArg: string, cwd: string): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(
      'sh',
      ['-c', `exec "$0" "$@" "$(printf '${byteArg}')"`, process.execPath, CLI, ...args],
      {
        cwd,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, NO_COLOR: '1' },
      },
    );
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stdoutBytes = Buffer.concat(out);
      resolve({
        code: code ?? -1,
        stdout: stdoutBytes.toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        stdoutBytes,
        timedOut: signal === 'SIGKILL',
        signal,
      });
    });
  });
}

/**
 * Node.js decodes arguments as UTF-8, so a non-UTF-8 name reaches hpvs-ctl as U+FFFD and names
 * no file. hpvs-ctl reads names as UTF-8 (README: an argument that is not UTF-8 is a usage
 * error that shows its bytes), so a missing and an existing file are refused alike, with the
 * bytes shown as \xNN: never replacement characters, "file file" or a wrong "not found".
 */
describe('non-UTF-8 file names (item 15)', () => {
  it('a missing one is named without replacement characters or a doubled word', async () => {
    const result = await runWithByteArgs(['validate'], '\\377missing.yaml', dir);
    expectCleanFailure(result, 'missing non-UTF-8 name', {
      code: 2,
      message: /argument "\\xffmissing\.yaml" is not valid UTF-8/,
    });
    expect(result.stderr).not.toMatch(/\bfile file\b/);
  });

  it('an existing one is refused with its bytes shown, not reported missing', async () => {
    const exists = Buffer.concat([Buffer.from([0xfe]), Buffer.from('present.yaml')]);
    writeFileSync(
      Buffer.from(join(dir, exists.toString('latin1')), 'latin1'),
      readFileSync(f.userData),
    );
    const result = await runWithByteArgs(['validate'], '\\376present.yaml', dir);
    expectCleanFailure(result, 'existing non-UTF-8 name', {
      code: 2,
      message: /argument "\\xfepresent\.yaml" is not valid UTF-8/,
    });
    expect(result.stderr).not.toMatch(/not found|no such file/i);
  });
});

describe('exit codes follow the rule (item 15)', () => {
  it.each([
    ['a line without =', 'PORT=8080\nNOEQUALS\n'],
    ['a bad name', 'PORT=8080\n1BAD=x\n'],
  ])('bad content in the env values file (%s) is exit 1 with its line', async (_, content) => {
    const help = (await runCli(['workload', '--help'])).stdout;
    const flag = /(--env[\w-]*-file) </.exec(help)![1]!;
    const bad = join(dir, 'bad.env');
    writeFileSync(bad, content);
    const result = await runBounded(['workload', '--compose', f.composeDir, flag, bad]);
    expectCleanFailure(result, 'bad env values', { code: 1, message: /bad\.env:2/ });
  });

  it('both seeds from stdin is a usage error (exit 2)', async () => {
    const result = await runBounded(
      ['luks-passphrase', '--env-seed-file', '-', '--workload-seed-file', '-'],
      {
        stdin: 'a-seed-from-stdin-0123456789\n',
      },
    );
    expectCleanFailure(result, 'both seeds from -', {
      code: 2,
      secrets: ['a-seed-from-stdin-0123456789'],
    });
  });

  it('sign keeps a non-UTF-8 byte outside the signature, or refuses the file', async () => {
    const file = join(dir, 'latin1-comment.yaml');
    const original = Buffer.concat([
      Buffer.from('# caf'),
      Buffer.from([0xe9]),
      Buffer.from('\n'),
      readFileSync(f.userData),
    ]);
    writeFileSync(file, original, { mode: 0o600 });
    const out = join(dir, 'latin1-signed.yaml');
    const result = await runBounded(['sign', file, '--key', f.signKey, '--out', out]);
    if (result.code === 0) {
      const signed = readFileSync(out);
      const withoutSignature = (bytes: Buffer) =>
        bytes.toString('latin1').replace(/^envWorkloadSignature:.*\n/m, '');
      expect(withoutSignature(signed)).toBe(withoutSignature(original));
    } else {
      expectCleanFailure(result, 'sign non-UTF-8', { code: 1, message: /UTF-8/ });
    }
  });
});

import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  rsyslogSkipReason,
  sendSyslogOverTls,
  startRsyslog,
  type RsyslogServer,
} from '../../helpers/rsyslog.js';
import { isOneLineError, runCli } from '../../helpers/run-cli.js';
import { useTempDir } from '../../helpers/temp-dir.js';
import { hasTool, runTool } from '../../helpers/tools.js';
import { story } from '../../../scripts/lib/story.mjs';

const tempDir = useTempDir();
const FILES = [
  'ca.crt',
  'ca-key.pem',
  'server.crt',
  'server-key.pem',
  'client.crt',
  'client-key.pem',
];

// 2048-bit keys: the key size does not change what rsyslog or openssl check, only the run time
async function generate(dir: string, ...hostArgs: string[]): Promise<void> {
  const result = await runCli(['certs', 'syslog', ...hostArgs, '--out-dir', dir, '--bits', '2048']);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  expect(result.stdout.trim().split('\n')).toEqual(FILES.map((name) => join(dir, name)));
}

describe('hpvs-ctl certs syslog', () => {
  let ipDir: string;
  let dnsDir: string;
  let otherDir: string;
  beforeAll(async () => {
    ipDir = join(tempDir(), 'ip');
    dnsDir = join(tempDir(), 'dns');
    otherDir = join(tempDir(), 'other');
    await Promise.all([
      generate(ipDir, '--ip', '127.0.0.1'),
      generate(dnsDir, '--hostname', 'logs.example.test'),
      generate(otherDir, '--ip', '127.0.0.1'),
    ]);
  });
  const read = (dir: string, name: string) => readFileSync(join(dir, name), 'utf8');

  it.skipIf(!hasTool('sha256sum'))(
    '--json lists the files with their SHA-256 (sha256sum agrees), null for the private keys',
    async () => {
      const dir = join(tempDir(), 'json');
      const result = await runCli(
        story.certsSyslog({ ip: '127.0.0.1', outDir: dir, bits: 2048, json: true }),
      );
      expect(result.code, result.stderr).toBe(0);
      const sha256sum = (file: string) =>
        runTool('sha256sum', [file]).stdout.toString().split(' ')[0];
      expect(JSON.parse(result.stdout)).toEqual({
        files: FILES.map((name) => ({
          out: join(dir, name),
          secret: name.endsWith('-key.pem'),
          sha256_out: name.endsWith('-key.pem') ? null : sha256sum(join(dir, name)),
        })),
      });
      expect(result.stdout).not.toContain('PRIVATE KEY');
    },
  );

  it('writes the private keys as PKCS#8 with mode 0600 and the certificates world-readable', () => {
    for (const name of FILES) {
      const mode = statSync(join(ipDir, name)).mode & 0o777;
      expect(mode, name).toBe(name.endsWith('-key.pem') ? 0o600 : 0o644);
      if (name.endsWith('-key.pem'))
        expect(read(ipDir, name)).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    }
    expect(statSync(ipDir).mode & 0o777).toBe(0o700);
  });

  describe.skipIf(!hasTool('openssl'))('checked by openssl', () => {
    const verify = (dir: string, ...args: string[]) =>
      runTool('openssl', ['verify', '-CAfile', join(dir, 'ca.crt'), ...args]);

    it('issues a server certificate for the IP address and a client certificate for TLS clients', () => {
      expect(
        verify(ipDir, '-purpose', 'sslserver', '-verify_ip', '127.0.0.1', join(ipDir, 'server.crt'))
          .status,
      ).toBe(0);
      expect(verify(ipDir, '-purpose', 'sslclient', join(ipDir, 'client.crt')).status).toBe(0);
      expect(
        verify(ipDir, '-purpose', 'sslserver', '-verify_ip', '127.0.0.2', join(ipDir, 'server.crt'))
          .status,
      ).not.toBe(0);
      expect(verify(ipDir, '-purpose', 'sslserver', join(ipDir, 'client.crt')).status).not.toBe(0);
    });

    it('names the host in the server certificate when given --hostname', () => {
      const server = join(dnsDir, 'server.crt');
      expect(
        verify(dnsDir, '-purpose', 'sslserver', '-verify_hostname', 'logs.example.test', server)
          .status,
      ).toBe(0);
      expect(verify(dnsDir, '-verify_hostname', 'other.example.test', server).status).not.toBe(0);
    });

    it('gives each private key the public key of its certificate', () => {
      for (const [cert, key] of [
        ['ca.crt', 'ca-key.pem'],
        ['server.crt', 'server-key.pem'],
        ['client.crt', 'client-key.pem'],
      ] as const) {
        const fromCert = runTool('openssl', [
          'x509',
          '-noout',
          '-pubkey',
          '-in',
          join(ipDir, cert),
        ]);
        const fromKey = runTool('openssl', ['pkey', '-pubout', '-in', join(ipDir, key)]);
        expect(fromKey.stdout.toString()).toBe(fromCert.stdout.toString());
      }
    });

    it('does not chain certificates of another run to this CA', () => {
      expect(verify(ipDir, join(otherDir, 'client.crt')).status).not.toBe(0);
    });
  });

  const skipRsyslog = rsyslogSkipReason();
  describe.skipIf(skipRsyslog !== undefined)(
    `a real rsyslogd in x509/certvalid mode${skipRsyslog ? ` (skipped: ${skipRsyslog})` : ''}`,
    () => {
      let server: RsyslogServer;
      beforeAll(async () => {
        const dir = join(tempDir(), 'rsyslog');
        mkdirSync(dir);
        server = await startRsyslog({
          dir,
          caFile: join(ipDir, 'ca.crt'),
          certFile: join(ipDir, 'server.crt'),
          keyFile: join(ipDir, 'server-key.pem'),
        });
      });
      afterAll(() => server?.stop());

      // the server trusts ipDir's CA; the client presents the certificate from `clientDir`
      const send = (clientDir: string, marker: string, keepOpen = false) =>
        sendSyslogOverTls({
          keepOpen,
          port: server.port,
          ca: read(ipDir, 'ca.crt'),
          cert: read(clientDir, 'client.crt'),
          key: read(clientDir, 'client-key.pem'),
          messages: [`<14>1 2026-11-28T10:00:00Z hpcr-instance test 1 - - ${marker}`],
        });

      it('accepts the client certificate and logs the message', async () => {
        const marker = `hpvs-ctl-accepted-${process.pid}`;
        expect(await send(ipDir, marker)).toEqual({ connected: true });
        expect(await server.waitForOutput(marker)).toContain(`hpcr-instance test 1 - - ${marker}`);
      });

      it('refuses a client whose certificate comes from another CA', async () => {
        const marker = `hpvs-ctl-refused-${process.pid}`;
        expect(await send(otherDir, marker, true)).toMatchObject({ closedByServer: true });
        // a message from a trusted client sent afterwards arrives, the refused one never does
        const after = `hpvs-ctl-after-refusal-${process.pid}`;
        await send(ipDir, after);
        expect(await server.waitForOutput(after)).not.toContain(marker);
      });
    },
  );

  describe('bad input', () => {
    it('refuses to overwrite existing files without --force and leaves them untouched', async () => {
      const before = read(ipDir, 'ca.crt');
      const result = await runCli(['certs', 'syslog', '--ip', '127.0.0.1', '--out-dir', ipDir]);
      expect(result.code).toBe(1);
      expect(isOneLineError(result.stderr)).toBe(true);
      expect(result.stderr).toContain('--force');
      expect(read(ipDir, 'ca.crt')).toBe(before);
    });

    it('replaces the whole set with --force', async () => {
      const dir = join(tempDir(), 'force');
      mkdirSync(dir);
      writeFileSync(join(dir, 'ca.crt'), 'old');
      const result = await runCli(
        story.certsSyslog({ ip: '127.0.0.1', outDir: dir, bits: 2048, force: true }),
      );
      expect(result.code).toBe(0);
      expect(read(dir, 'ca.crt')).toMatch(/^-----BEGIN CERTIFICATE-----/);
      expect(readdirSync(dir).sort()).toEqual([...FILES].sort());
    });

    it.each([
      [[], 'give the syslog server name'],
      [['--hostname', 'bad_name'], 'invalid --hostname "bad_name"'],
      [['--hostname', '10.0.0.1'], 'invalid --hostname "10.0.0.1"'],
      [['--ip', '300.1.1.1'], 'invalid --ip "300.1.1.1"'],
      [['--ip', '127.0.0.1', '--days', '0'], 'invalid --days "0"'],
    ])('exits 2 for %j without writing anything', async (args, message) => {
      const dir = join(tempDir(), `usage-${Math.random().toString(36).slice(2)}`);
      const result = await runCli(['certs', 'syslog', ...args, '--out-dir', dir]);
      expect(result.code).toBe(2);
      expect(isOneLineError(result.stderr)).toBe(true);
      expect(result.stderr).toContain(message);
      expect(existsSync(dir)).toBe(false);
    });

    it('exits 2 when --out-dir is missing', async () => {
      const result = await runCli(['certs', 'syslog', '--ip', '127.0.0.1']);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain("required option '--out-dir <dir>' not specified");
    });

    it('exits 1 with one line when the output folder cannot be created', async () => {
      const file = join(tempDir(), 'a-file');
      writeFileSync(file, '');
      const result = await runCli(
        story.certsSyslog({ ip: '127.0.0.1', outDir: join(file, 'sub'), bits: 2048 }),
      );
      expect(result.code).toBe(1);
      expect(isOneLineError(result.stderr)).toBe(true);
    });
  });
});

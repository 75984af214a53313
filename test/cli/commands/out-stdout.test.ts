import { createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IBM_CERTIFICATES } from '../../../src/core/catalogue/ibm-certificates.js';
import { buildProgram } from '../../../src/cli/cli.js';
import { createSyslogCertificates } from '../../../src/core/pki/syslog-certificates.js';
import { makeRecordBundle, sampleUserData } from '../../helpers/attestation-bundle.js';
import { runCli } from '../../helpers/run-cli.js';
import { useTempDir } from '../../helpers/temp-dir.js';
import { writeAuthoringFiles, type AuthoringFiles } from './contract-fixtures.js';
import { story } from '../../../scripts/lib/story.mjs';

const tempDir = useTempDir('hpvs-ctl-out-stdout-');
let f: AuthoringFiles;
let recipes: Record<string, string[]>;
let server: Server | undefined;

/**
 * A real HTTPS server on 127.0.0.1 publishing one catalogue certificate where IBM's bucket
 * would (certs download's --base-url), with a certificate from hpvs-ctl's own PKI code.
 */
async function publishCertificate(dir: string): Promise<{ base: string; caFile: string }> {
  const tls = await createSyslogCertificates({ ip: '127.0.0.1', now: new Date(), bits: 2048 });
  const caFile = join(dir, 'mirror-ca.crt');
  writeFileSync(caFile, tls.caCertificatePem);
  const pem = IBM_CERTIFICATES.find((e) => e.platform === 'hpvs' && e.version === '1.0.29')!.pem;
  const path = '/s390x-29/ibm-hyper-protect-container-runtime-1-0-s390x-29-encrypt.crt';
  const https = createServer(
    { key: tls.serverPrivateKeyPem, cert: tls.serverCertificatePem },
    (request, response) => {
      if (request.url === path) response.end(pem);
      else response.writeHead(404).end('NoSuchKey');
    },
  );
  server = https;
  await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
  return { base: `https://127.0.0.1:${(https.address() as AddressInfo).port}`, caFile };
}

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
});

/** Every command (by its full name) that declares `--out`. */
function commandsWithOut(command: Command, prefix: string[] = []): string[] {
  return (command.commands as Command[]).flatMap((sub) => {
    const name = [...prefix, sub.name()];
    const own = sub.options.some((option) => option.long === '--out') ? [name.join(' ')] : [];
    return [...own, ...commandsWithOut(sub, name)];
  });
}

beforeAll(async () => {
  f = await writeAuthoringFiles(tempDir());
  const file = (name: string, data: string | Buffer) => {
    writeFileSync(join(f.dir, name), data);
    return join(f.dir, name);
  };
  const apiKey = file('apikey.txt', 'iam-api-key-0123456789\n');
  const envArgs = ['env', '--log-router-host', 'h.example.com', '--log-router-key-file', apiKey];
  const section = file('env.yaml', (await runCli(envArgs)).stdout);
  const token = (await runCli(['encrypt', section, '--cert', f.hpcrCert])).stdout;
  const workload = (await runCli(['workload', '--compose', f.composeDir])).stdout;
  const record = makeRecordBundle({
    userData: sampleUserData(),
    attestationKey: createPrivateKey(readKey(f.signKey)),
    auditorPublicKey: createPublicKey(readKey(f.hpcrKey)),
  });
  const mirror = await publishCertificate(f.dir);
  const download = [
    ...['certs', 'download', '--version', '1.0.29'],
    ...['--base-url', mirror.base, '--ca-file', mirror.caFile],
  ];
  const downloaded = await runCli(download);
  expect(downloaded.code, downloaded.stderr).toBe(0);
  const plainContract = (
    await runCli(['contract', '--workload', file('wl.yaml', workload), '--env', section])
  ).stdout;
  const sealKeys = join(f.dir, 'seal-keys');
  const keys = await runCli(['secrets', 'keys', '--out-dir', sealKeys]);
  expect(keys.code, keys.stderr).toBe(0);
  const secret = file('secret.txt', 's3cret-value\n');
  const sealArgs = [
    ...['secrets', 'seal', '--type', 'workload', '--in', secret],
    ...['--encryption-key', join(sealKeys, 'seal-encryption-public.pem')],
    ...['--signing-key', join(sealKeys, 'seal-signing-private.pem')],
  ];
  const sealed = await runCli(sealArgs);
  expect(sealed.code, sealed.stderr).toBe(0);
  recipes = {
    cidata: ['cidata', '--user-data', file('cidata-user-data.yaml', plainContract)],
    'initdata build': [
      ...['initdata', 'build', '--allow-plaintext'],
      ...['--contract', file('plain-user-data.yaml', plainContract)],
    ],
    'policy generate': [
      'policy',
      'generate',
      '--pod',
      file(
        'pod.yaml',
        'apiVersion: v1\nkind: Pod\nmetadata:\n  name: app\nspec:\n  containers:\n    - name: app\n      image: example.com/app@sha256:' +
          'a'.repeat(64) +
          '\n      command: ["/bin/app"]\n',
      ),
    ],
    'secrets seal': sealArgs,
    'secrets unseal': [
      ...['secrets', 'unseal', '--in', file('sealed.txt', sealed.stdout)],
      ...['--decryption-key', join(sealKeys, 'seal-decryption-private.pem')],
      ...['--verification-key', join(sealKeys, 'seal-verification-public.pem')],
    ],
    'certs download': download,
    'certs get': [
      'certs',
      'get',
      '--from',
      file('certs.json', downloaded.stdout),
      '--version',
      '1.0.29',
    ],
    archive: ['archive', f.composeDir],
    workload: ['workload', '--compose', f.composeDir],
    env: envArgs,
    contract: ['contract', '--workload', file('workload.yaml', workload), '--env', section],
    sign: [
      'sign',
      file('user-data.yaml', `workload: ${token.trim()}\nenv: ${token.trim()}\n`),
      '--key',
      f.signKey,
    ],
    encrypt: ['encrypt', section, '--cert', f.hpcrCert],
    decrypt: ['decrypt', file('env.enc', token), '--key', f.hpcrKey],
    'luks-passphrase': [
      'luks-passphrase',
      '--env-seed-file',
      f.envSeed,
      '--workload-seed-file',
      f.workloadSeed,
    ],
    'attestation decrypt': story.attestationDecrypt({
      record: file('se-checksums.txt.enc', record.recordFile),
      key: f.hpcrKey,
    }),
  };
}, 60_000);

function readKey(path: string): Buffer {
  return readFileSync(path);
}

describe('--out - is standard output on every command that has --out', () => {
  it('every such command is covered here (log-server: test/commands/log-server-output.test.ts)', async () => {
    const covered = [...Object.keys(recipes), 'emulator log-server'].sort();
    expect(commandsWithOut((await buildProgram()) as unknown as Command).sort()).toEqual(covered);
  });

  it('prints the result and creates no file named "-"', async () => {
    for (const [name, args] of Object.entries(recipes)) {
      const cwd = join(tempDir(), name.replace(' ', '-'));
      mkdirSync(cwd);
      const result = await runCli([...args, '--out', '-'], { cwd });
      expect(result.code, `${name}: ${result.stderr}`).toBe(0);
      expect(result.stdoutBytes.length, name).toBeGreaterThan(0);
      expect(readdirSync(cwd), name).toEqual([]);
    }
  }, 120_000);
});

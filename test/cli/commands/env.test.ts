import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectCliError } from '../../helpers/expect-error.js';
import { runCli } from '../../helpers/run-cli.js';
import { useTempDir } from '../../helpers/temp-dir.js';
import { writeAuthoringFiles, type AuthoringFiles } from './contract-fixtures.js';
import { story } from '../../../scripts/lib/story.mjs';

const tempDir = useTempDir('hpvs-ctl-env-');
let f: AuthoringFiles;
let counter = 0;
const out = () => join(f.dir, `env-${++counter}.yaml`);
const file = (name: string) => join(f.dir, name);

beforeAll(async () => {
  f = await writeAuthoringFiles(tempDir());
  writeFileSync(file('apikey.txt'), 'iam-api-key-0123456789\n');
  writeFileSync(file('ingestion.txt'), `${'a'.repeat(32)}\n`);
  writeFileSync(
    file('kms.yaml'),
    '- apiKey: kms-api-key-0123\n  crn: crn:v1:bluemix:public:kms:us-south:a/1:2:key:3\n  type: private\n',
  );
  writeFileSync(file('not-a-list.yaml'), 'apiKey: x\n');
  writeFileSync(file('list-of-strings.yaml'), '- apiKey\n- crn\n');
  writeFileSync(file('auths-list.yaml'), '- us.icr.io\n');
  const protectedKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
    format: 'pem',
    type: 'pkcs8',
    cipher: 'aes-256-cbc',
    passphrase: 'pw',
  });
  writeFileSync(file('protected.key'), protectedKey);
});

describe('hpvs-ctl env', () => {
  it('builds a syslog env with PEM material as literal blocks, a volume and the signing key', async () => {
    const target = out();
    const result = await runCli(
      story.env({
        syslogHost: 'logs.example.com',
        syslogPort: 6514,
        syslogCa: f.caCert,
        syslogCert: f.hpcrCert,
        syslogKey: f.hpcrKey,
        volume: 'data',
        seedFile: f.envSeed,
        kmsFile: file('kms.yaml'),
        env: 'MODE=prod',
        signingKey: f.signPub,
        out: target,
      }),
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(statSync(target).mode & 0o777).toBe(0o600);
    const text = readFileSync(target, 'utf8');
    expect(text).toContain('    server: |\n      -----BEGIN CERTIFICATE-----\n');
    expect(text).toContain('signingKey: |\n  -----BEGIN PUBLIC KEY-----\n');
    const section = parse(text);
    expect(section.logging.syslog).toEqual({
      hostname: 'logs.example.com',
      port: 6514,
      server: readFileSync(f.caCert, 'utf8'),
      cert: readFileSync(f.hpcrCert, 'utf8'),
      key: readFileSync(f.hpcrKey, 'utf8'),
    });
    expect(section.volumes.data).toEqual({
      seed: 'env-seed-0123456789!@#',
      kms: [
        {
          apiKey: 'kms-api-key-0123',
          crn: 'crn:v1:bluemix:public:kms:us-south:a/1:2:key:3',
          type: 'private',
        },
      ],
    });
    expect(section.signingKey).toBe(readFileSync(f.signPub, 'utf8'));
    expect((await runCli(['validate', target])).stdout).toContain('valid env section');
  });

  it('keeps only the PEM blocks of a CA bundle with text around them', async () => {
    const ca = readFileSync(f.caCert, 'utf8');
    writeFileSync(file('bundle.pem'), `subject=CN = Deployer CA\n${ca}Bag Attributes\n${ca}`);
    const result = await runCli(
      story.env({
        syslogHost: 'logs.example.com',
        syslogCa: file('bundle.pem'),
        syslogCert: f.hpcrCert,
        syslogKey: f.hpcrKey,
      }),
    );
    expect(result.code).toBe(0);
    expect(parse(result.stdout).logging.syslog.server).toBe(`${ca.trimEnd()}\n${ca}`);
  });

  it('builds a log router env, and the legacy logDNA one with a deprecation warning', async () => {
    writeFileSync(
      file('auths.yaml'),
      'us.icr.io:\n  username: iamapikey\n  password: registry-key\n',
    );
    const router = await runCli(
      story.env({
        logRouterHost: 'ingest.logs.example.com',
        logRouterKeyFile: file('apikey.txt'),
        auths: file('auths.yaml'),
      }),
    );
    expect(router.code).toBe(0);
    expect(parse(router.stdout).logging).toEqual({
      logRouter: { hostname: 'ingest.logs.example.com', iamApiKey: 'iam-api-key-0123456789' },
    });
    expect(parse(router.stdout).auths).toEqual({
      'us.icr.io': { username: 'iamapikey', password: 'registry-key' },
    });
    const legacy = await runCli([
      'env',
      '--logdna-host',
      'logs.example.com',
      '--logdna-key-file',
      file('ingestion.txt'),
    ]);
    expect(legacy.code).toBe(0);
    expect(legacy.stderr).toMatch(/^hpvs-ctl: warning: env\.logging\.logDNA: logDNA is deprecated/);
    expect(parse(legacy.stdout).logging.logDNA.ingestionKey).toBe('a'.repeat(32));
  });

  it('encrypts with --cert', async () => {
    const result = await runCli(
      story.env({
        logRouterHost: 'h.example.com',
        logRouterKeyFile: file('apikey.txt'),
        cert: f.hpcrCert,
      }),
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^hyper-protect-basic\.\S+\n$/);
  });

  it('refuses bad flags with usage errors (exit 2)', async () => {
    const router = [
      '--log-router-host',
      'h.example.com',
      '--log-router-key-file',
      file('apikey.txt'),
    ];
    for (const args of [
      [],
      [...router, '--syslog-host', 'x'],
      ['--syslog-host', 'logs.example.com', '--syslog-ca', f.caCert],
      ['--log-router-host', 'h.example.com'],
      [...router, '--volume', 'data'],
      [...router, '--seed-file', f.envSeed],
      ['--syslog-host', 'h', '--syslog-port', '70000'],
      [...router, '--iam-api-key', 'inline'],
    ]) {
      const result = await runCli(['env', ...args]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stdout).toBe('');
    }
  });

  it('refuses bad input with a one-line error and leaves no output file', async () => {
    const router = [
      '--log-router-host',
      'h.example.com',
      '--log-router-key-file',
      file('apikey.txt'),
    ];
    const syslog = [
      '--syslog-host',
      'logs.example.com',
      '--syslog-ca',
      f.caCert,
      '--syslog-cert',
      f.hpcrCert,
    ];
    const cases: [string[], RegExp][] = [
      [
        [...syslog, '--syslog-key', file('protected.key')],
        /protected\.key: the private key is passphrase-protected/,
      ],
      [
        [...syslog, '--syslog-key', f.signPub],
        /sign\.pub: found a "PUBLIC KEY" PEM block; expected a PRIVATE KEY/,
      ],
      [
        [
          '--syslog-host',
          'logs.example.com',
          '--syslog-ca',
          f.envSeed,
          '--syslog-cert',
          f.hpcrCert,
          '--syslog-key',
          f.hpcrKey,
        ],
        /env\.seed: not a PEM file/,
      ],
      [
        [
          '--syslog-host',
          'bad host',
          '--syslog-ca',
          f.caCert,
          '--syslog-cert',
          f.hpcrCert,
          '--syslog-key',
          f.hpcrKey,
        ],
        /env\.logging\.syslog\.hostname: must be a host name or IP address/,
      ],
      [
        [...router, '--signing-key', f.signKey],
        /sign\.pem: this is a private key; give the certificate or public key instead/,
      ],
      [
        [...router, '--volume', 'data', '--seed-file', f.shortSeed],
        /env\.volumes\.data\.seed: must be at least 15 characters/,
      ],
      [
        [
          ...router,
          '--volume',
          'data',
          '--seed-file',
          f.envSeed,
          '--kms-file',
          file('not-a-list.yaml'),
        ],
        /not-a-list\.yaml: expected a YAML list/,
      ],
      [
        [
          ...router,
          '--volume',
          'data',
          '--seed-file',
          f.envSeed,
          '--kms-file',
          file('list-of-strings.yaml'),
        ],
        /list-of-strings\.yaml: expected a YAML list/,
      ],
      [
        [...router, '--auths', file('auths-list.yaml')],
        /auths-list\.yaml: expected a YAML mapping of registry host -> \{username, password\}\n$/,
      ],
      [[...router, '--cert', f.expiredCert], /certificate expired on/],
    ];
    for (const [args, message] of cases) {
      const target = out();
      await expectCliError(['env', ...args, '--out', target], message);
      expect(existsSync(target), args.join(' ')).toBe(false);
    }
  });
});

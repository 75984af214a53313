import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/run-cli.js';
import { useTempDir } from '../../helpers/temp-dir.js';
import { story } from '../../../scripts/lib/story.mjs';

/**
 * The ccco path of the emulator through the CLI, as an OpenShift user runs it: seal a secret,
 * generate the policy, build the contract, wrap it as initdata on the pod, boot it.
 */
const tempDir = useTempDir('hpvs-emulator-ccco-');
const IMAGE = 'quay.io/example/orders:1.4.2';
let dir: string;
let sealed: string;

async function cli(args: string[], expected = 0): Promise<string> {
  const result = await runCli(args, { cwd: dir });
  expect(result.code, `${args.join(' ')}\n${result.stdout}${result.stderr}`).toBe(expected);
  return result.stdout + result.stderr;
}

function pod(command: string[], secret: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'orders' },
    spec: {
      runtimeClassName: 'kata-remote',
      containers: [
        { name: 'orders', image: IMAGE, command, env: [{ name: 'DB_PASSWORD', value: secret }] },
      ],
    },
  });
}

const COMMAND = ['/usr/bin/orders', '--listen=:8080'];

beforeAll(async () => {
  dir = tempDir();
  await cli(['emulator', 'init', '--state', 'peerpod', '--platform', 'ccco', '--key-bits', '2048']);
  await cli(['emulator', 'init', '--state', 'hpcr', '--key-bits', '2048']);
  await cli(['secrets', 'keys', '--out-dir', 'seal-keys']);
  writeFileSync(join(dir, 'password.txt'), 'correct horse battery staple\n');
  sealed = (
    await cli([
      'secrets',
      'seal',
      '--type',
      'workload',
      '--in',
      'password.txt',
      '--encryption-key',
      'seal-keys/seal-encryption-public.pem',
      '--signing-key',
      'seal-keys/seal-signing-private.pem',
    ])
  ).trim();
  writeFileSync(join(dir, 'pod.yaml'), pod(COMMAND, sealed));
  const policy = (await cli(['policy', 'generate', '--pod', 'pod.yaml', '--base64'])).trim();
  const secret = parse(
    readFileSync(join(dir, 'seal-keys/confidential-containers-secret.yaml'), 'utf8'),
  ) as object;
  writeFileSync(
    join(dir, 'workload.yaml'),
    stringify({
      type: 'workload',
      'confidential-containers': { regoValidator: { policy }, ...secret },
    }),
  );
  // env without logging: optional on ccco
  writeFileSync(join(dir, 'env.yaml'), 'type: env\n');
  await cli(['keys', 'generate', '--out-dir', 'deployer', '--name', 'signing', '--bits', '2048']);
  // --platform ccco: env without logging is valid there (on hpvs it is refused)
  await cli(
    story.contract({
      workload: 'workload.yaml',
      env: 'env.yaml',
      cert: 'peerpod/public/encrypt.crt',
      signKey: 'deployer/signing-private.pem',
      platform: 'ccco',
      out: 'user-data.yaml',
    }),
  );
  await cli(
    story.contract({
      workload: 'workload.yaml',
      env: 'env.yaml',
      cert: 'peerpod/public/encrypt.crt',
      out: 'refused.yaml',
    }),
    1,
  );
  await cli(
    story.initdataBuild({ contract: 'user-data.yaml', pod: 'pod.yaml', out: 'pod-initdata.yaml' }),
  );
  await cli(['initdata', 'build', '--contract', 'user-data.yaml', '--out', 'initdata.txt']);
}, 120_000);

describe('emulator boot --initdata (ccco)', () => {
  it('decodes initdata, opens the sealed secret, admits the pod and writes the record', async () => {
    const out = await cli(
      story.emulatorBoot({ initdata: 'pod-initdata.yaml', state: 'peerpod', outDir: 'ok' }),
    );
    expect(out).toContain('no env.logging (optional on ccco)');
    expect(out).toContain('CreateContainerRequest allowed: Pod/orders container "orders"');
    expect(out).toMatch(
      /HPL15004I: The pod started successfully\. \(ccco: 1 container admitted by the agent policy, 1 sealed secret opened/,
    );
    expect(out).toContain('HPL10001I');
    expect(out).not.toContain('correct horse');
    const plan = readFileSync(join(dir, 'ok/workload/pod-plan.json'), 'utf8');
    expect(JSON.parse(plan)).toMatchObject([
      {
        name: 'orders',
        image: IMAGE,
        args: COMMAND,
        env: [{ name: 'DB_PASSWORD', sealed: true }],
        allowed: true,
      },
    ]);
    expect(plan).not.toContain('correct horse');
    // no attestationPublicKey in this contract: the record stays in plaintext
    expect(readFileSync(join(dir, 'ok/var/hyperprotect/se-checksums.txt'), 'utf8')).toContain(
      'cidata/user-data',
    );
  });

  it('takes the bare value with --pod', async () => {
    const out = await cli(
      story.emulatorBoot({
        initdata: 'initdata.txt',
        pod: 'pod.yaml',
        state: 'peerpod',
        outDir: 'bare',
      }),
    );
    expect(out).toContain('HPL10001I');
  });

  it('refuses a container whose command the policy does not list, with a clear failure', async () => {
    writeFileSync(join(dir, 'evil.yaml'), pod(['/bin/sh', '-c', 'cat /proc/1/environ'], sealed));
    const out = await cli(
      story.emulatorBoot({
        initdata: 'initdata.txt',
        pod: 'evil.yaml',
        state: 'peerpod',
        outDir: 'evil',
      }),
      1,
    );
    expect(out).toContain(
      'CreateContainerRequest is blocked by the agent policy: Pod/orders container "orders" (image "quay.io/example/orders:1.4.2"): its command is not allowed for this image',
    );
    expect(out).toContain('HPL10000E');
    const other = pod(COMMAND, sealed).replace(IMAGE, 'quay.io/example/orders:latest');
    writeFileSync(join(dir, 'other-image.yaml'), other);
    const image = await cli(
      story.emulatorBoot({
        initdata: 'initdata.txt',
        pod: 'other-image.yaml',
        state: 'peerpod',
        outDir: 'other',
      }),
      1,
    );
    expect(image).toContain('its image is not allowed');
  });

  it('fails the boot on a tampered sealed secret, with the one generic message', async () => {
    const parts = sealed.split('.');
    parts[2] = `${parts[2]!.slice(0, -2)}AA`;
    writeFileSync(join(dir, 'tampered.yaml'), pod(COMMAND, parts.join('.')));
    const out = await cli(
      story.emulatorBoot({
        initdata: 'initdata.txt',
        pod: 'tampered.yaml',
        state: 'peerpod',
        outDir: 'tampered',
      }),
      1,
    );
    expect(out).toContain(
      'env "DB_PASSWORD": the sealed secret cannot be opened with the workload section\'s keys: decryption failed',
    );
  });

  it('boots a user-data file with --pod on a ccco state, and needs the pod', async () => {
    const out = await cli(
      story.emulatorBoot({
        userData: 'user-data.yaml',
        pod: 'pod.yaml',
        state: 'peerpod',
        outDir: 'file',
      }),
    );
    expect(out).toContain('HPL10001I');
    const missing = await runCli(['emulator', 'boot', 'user-data.yaml', '--state', 'peerpod'], {
      cwd: dir,
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/give the pod manifest with --pod/);
  });

  it('boots one user-data file or one initdata, refused before the state is read', async () => {
    for (const args of [
      ['emulator', 'boot', '--state', 'no-such-state'],
      story.emulatorBoot({
        userData: 'user-data.yaml',
        initdata: 'pod-initdata.yaml',
        state: 'no-such-state',
      }),
    ]) {
      const result = await runCli(args, { cwd: dir });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(
        /^hpvs-ctl: error: give either a user-data file or --initdata, not both or neither\n/,
      );
    }
  });

  it('needs a ccco state for --initdata, and a pod for a bare value', async () => {
    const hpvs = await runCli(
      ['emulator', 'boot', '--initdata', 'pod-initdata.yaml', '--state', 'hpcr'],
      { cwd: dir },
    );
    expect(hpvs.code).toBe(2);
    expect(hpvs.stderr).toMatch(/need a ccco emulator/);
    const bare = await runCli(
      ['emulator', 'boot', '--initdata', 'initdata.txt', '--state', 'peerpod'],
      { cwd: dir },
    );
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/give the pod it belongs to with --pod/);
  });
});

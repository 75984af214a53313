import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  importBusyboxImage,
  instanceParts,
  podman,
  podmanSkipReason,
  startRegistry,
  type Registry,
} from '../../helpers/podman-registry.js';
import {
  freeLoopbackPort,
  rsyslogSkipReason,
  startRsyslog,
  type RsyslogServer,
} from '../../helpers/rsyslog.js';
import { CLI, isOneLineError, runCli } from '../../helpers/run-cli.js';
import { trustRegistryCa } from '../../../scripts/lib/docker-registry.mjs';
import { useTempDir } from '../../helpers/temp-dir.js';
import { story } from '../../../scripts/lib/story.mjs';

/**
 * `emulator boot --runtime podman` with real parts: podman (sandbox configuration), a
 * docker-registry with TLS and htpasswd serving a busybox image by digest, contracts built and
 * encrypted with hpvs-ctl, and rsyslogd receiving the container's output over mutual TLS.
 * One registry, image and rsyslogd serve the whole file.
 */
const skip = podmanSkipReason() ?? rsyslogSkipReason();
const tempDir = useTempDir('hpvs-emulator-podman-');
const USER = 'provider';
const PASSWORD = 'registry-pass-0123';

async function ok(args: string[], cwd: string): Promise<string> {
  const result = await runCli(args, { cwd });
  expect(result.code, `hpvs-ctl ${args.join(' ')}: ${result.stderr}${result.stdout}`).toBe(0);
  return result.stdout;
}

describe.skipIf(skip !== undefined)(
  `emulator boot --runtime podman${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    let cwd: string;
    let registry: Registry;
    let rsyslog: RsyslogServer;
    let image: string;
    let imageId: string;
    let syslogPort: number;

    beforeAll(async () => {
      cwd = tempDir();
      for (const dir of ['provider', 'deployer', 'registry', 'image', 'rsyslog'])
        mkdirSync(join(cwd, dir));
      writeFileSync(join(cwd, 'provider/workload.seed'), 'provider-seed-0123456789', {
        mode: 0o600,
      });
      writeFileSync(join(cwd, 'deployer/env.seed'), 'deployer-seed-abcdefghij', { mode: 0o600 });
      await Promise.all([
        ok(['emulator', 'init', '--state', 'hpcr', '--key-bits', '2048'], cwd),
        ok(
          ['keys', 'generate', '--out-dir', 'deployer', '--name', 'signing', '--bits', '2048'],
          cwd,
        ),
        ok(story.certsSyslog({ ip: '127.0.0.1', outDir: 'deployer/syslog', bits: 2048 }), cwd),
        ok(
          ['certs', 'syslog', '--ip', '127.0.0.1', '--out-dir', 'registry/tls', '--bits', '2048'],
          cwd,
        ),
      ]);
      const local = `localhost/hpvs-ctl-test-busybox:${process.pid}`;
      imageId = importBusyboxImage(join(cwd, 'image'), local);
      registry = await startRegistry({
        dir: join(cwd, 'registry'),
        tlsDir: join(cwd, 'registry/tls'),
        username: USER,
        password: PASSWORD,
      });
      image = await registry.push(local, 'hpvs/busybox', '1');
      rsyslog = await startRsyslog({
        dir: join(cwd, 'rsyslog'),
        caFile: join(cwd, 'deployer/syslog/ca.crt'),
        certFile: join(cwd, 'deployer/syslog/server.crt'),
        keyFile: join(cwd, 'deployer/syslog/server-key.pem'),
      });
      syslogPort = rsyslog.port;
    }, 120_000);

    afterAll(async () => {
      await rsyslog?.stop();
      await registry?.stop();
      // only this file's image (imported, pushed and pulled: one image id)
      if (imageId !== undefined) podman(['rmi', '--force', imageId]);
    });

    let contracts = 0;
    /**
     * A signed user-data.yaml built with hpvs-ctl: workload from a compose folder (or play
     * templates) with the registry's credentials, env logging to rsyslogd with the registry's CA
     * in env.cacerts, both encrypted for the emulator.
     */
    async function contract(options: {
      compose?: string;
      playTemplates?: string;
      password?: string;
      env?: string[];
      /** Leave both sections plaintext: the contract then holds them as | block strings. */
      plaintext?: boolean;
    }): Promise<string> {
      const name = `c${++contracts}`;
      const dir = join(cwd, name);
      mkdirSync(dir);
      const workloadArgs: string[] = [];
      const workloadFile = `${name}/${options.plaintext ? 'workload.yaml' : 'workload.enc'}`;
      if (options.compose !== undefined) {
        mkdirSync(join(dir, 'app'));
        writeFileSync(join(dir, 'app/docker-compose.yaml'), options.compose);
        workloadArgs.push('--compose', `${name}/app`);
      } else {
        writeFileSync(join(dir, 'pods.yaml'), options.playTemplates!);
        workloadArgs.push('--play-templates', `${name}/pods.yaml`);
      }
      writeFileSync(
        join(dir, 'auths.yaml'),
        `${registry.host}:\n  username: ${USER}\n  password: ${options.password ?? PASSWORD}\n`,
        { mode: 0o600 },
      );
      await ok(
        [
          'workload',
          ...workloadArgs,
          '--auths',
          `${name}/auths.yaml`,
          '--volume',
          'data',
          '--mount',
          '/mnt/data',
          '--seed-file',
          'provider/workload.seed',
          ...(options.env ?? ['--env', 'GREETING=hello']),
          ...(options.plaintext ? [] : ['--cert', 'hpcr/public/encrypt.crt']),
          '--out',
          workloadFile,
        ],
        cwd,
      );
      await ok(
        story.env({
          syslogHost: '127.0.0.1',
          syslogPort,
          syslogCa: 'deployer/syslog/ca.crt',
          syslogCert: 'deployer/syslog/client.crt',
          syslogKey: 'deployer/syslog/client-key.pem',
          volume: 'data',
          seedFile: 'deployer/env.seed',
          env: 'STAGE=test',
          out: `${name}/env.yaml`,
        }),
        cwd,
      );
      // the registry's private CA, as a deployer passes it to the runtime
      trustRegistryCa(join(dir, 'env.yaml'), join(cwd, 'registry/tls/ca.crt'));
      await ok(
        [
          'contract',
          '--workload',
          workloadFile,
          '--env',
          `${name}/env.yaml`,
          ...(options.plaintext ? [] : ['--cert', 'hpcr/public/encrypt.crt']),
          '--sign-key',
          'deployer/signing-private.pem',
          '--out',
          `${name}/user-data.yaml`,
        ],
        cwd,
      );
      return `${name}/user-data.yaml`;
    }

    const bootArgs = (userData: string, out: string) =>
      story.emulatorBoot({
        userData,
        state: 'hpcr',
        runtime: 'podman',
        podmanConfig: 'sandbox',
        outDir: out,
      });

    function boot(userData: string, out: string, extra: string[] = []) {
      return runCli([...bootArgs(userData, out), ...extra], { cwd });
    }

    it('pulls by digest with the auths, serves a port, writes the volume folder, forwards output over mutual TLS; --keep-running then emulator stop leaves nothing', async () => {
      const port = await freeLoopbackPort();
      const userData = await contract({
        compose: [
          'services:',
          '  app:',
          `    image: ${image}`,
          '    ports: ["127.0.0.1:' + port + ':8080"]',
          '    environment:',
          '      GREETING: ${GREETING}',
          '      STAGE: ${STAGE}',
          // a variable podman itself also reads must reach the container only, not podman
          '      PATH: /bin',
          '    volumes: ["/mnt/data/app:/data"]',
          '    command: ["/bin/sh", "-c", "echo \\"$$GREETING from $$STAGE\\"; echo stored > /data/out.txt; exec httpd -f -p 8080 -h /data"]',
          '',
        ].join('\n'),
      });
      const result = await boot(userData, 'hpcr/instance', ['--keep-running']);
      expect(result.code, result.stdout + result.stderr).toBe(0);
      expect(result.stdout).toMatch(
        /hpl-containers\[\d+\]: pulled 127\.0\.0\.1:\d+\/hpvs\/busybox@sha256:[0-9a-f]{64}/,
      );
      expect(result.stdout).toMatch(/stands in for the opened LUKS2 mapping at \/mnt\/data/);
      expect(result.stdout).toMatch(/HPL15004I: The pod started successfully\.$/m);
      expect(result.stdout).toMatch(/HPL10001I/);
      // the registry password never reaches the console, and the auth file is gone
      expect(result.stdout + result.stderr).not.toContain(PASSWORD);
      expect(readdirSync(join(cwd, 'hpcr/instance/workload/podman'))).not.toContain('auth.json');
      expect(statSync(join(cwd, 'hpcr/instance/workload/podman')).mode & 0o777).toBe(0o700);
      // the container's own line, under its name, at rsyslogd over mutual TLS
      const received = await rsyslog.waitForOutput('hello from test');
      expect(received).toMatch(/ app \d+ - - hello from test$/m);
      expect(readFileSync(join(cwd, 'hpcr/instance/volumes/data/app/out.txt'), 'utf8')).toBe(
        'stored\n',
      );
      // the published port answers from the volume folder
      const body = await new Promise<string>((resolve, reject) =>
        get(`http://127.0.0.1:${port}/out.txt`, (res) => {
          let text = '';
          res.on('data', (chunk) => (text += chunk));
          res.on('end', () => resolve(text));
        }).on('error', reject),
      );
      expect(body).toBe('stored\n');
      const instance = join(cwd, 'hpcr/instance');
      expect(await instanceParts(instance)).toContainEqual(
        expect.stringMatching(/^container hpvs-[0-9a-f]{12}-app$/),
      );
      // a second boot into the same instance is refused while its workload runs, before it
      // touches the instance's files
      const record = join(cwd, 'hpcr/instance/workload/podman/instance.json');
      const before = statSync(record);
      const twice = await boot(userData, 'hpcr/instance');
      expect(twice.code).toBe(1);
      expect(twice.stderr).toMatch(
        /^hpvs-ctl: error: hpcr\/instance: its workload still runs \(hpvs-\w+-app .*emulator stop/,
      );
      expect(isOneLineError(twice.stderr)).toBe(true);
      expect(statSync(record)).toMatchObject({ ino: before.ino, mtimeMs: before.mtimeMs });
      const stop = await runCli(['emulator', 'stop', '--state', 'hpcr'], { cwd });
      expect(stop.code, stop.stderr).toBe(0);
      expect(stop.stdout).toMatch(/stopped and removed 1 container\(s\), 1 pod\(s\)/);
      expect(await instanceParts(instance)).toEqual([]);
      const again = await runCli(['emulator', 'stop', '--out-dir', 'hpcr/instance'], { cwd });
      expect(again.stdout).toMatch(/nothing of hpcr\/instance was running/);
    }, 90_000);

    it('runs play templates from a block-string contract until the pod exits, then removes it (no --keep-running)', async () => {
      const userData = await contract({
        playTemplates: [
          'apiVersion: v1',
          'kind: Pod',
          'metadata:',
          '  name: job',
          'spec:',
          '  containers:',
          '    - name: main',
          `      image: ${image}`,
          '      command: ["/bin/sh", "-c"]',
          '      args: ["echo play says $WORD; echo $WORD > /data/play.txt"]',
          '      env:',
          '        - name: WORD',
          '          value: "{{ .Env.GREETING }}"',
          '      volumeMounts:',
          '        - name: data',
          '          mountPath: /data',
          '  volumes:',
          '    - name: data',
          '      hostPath:',
          '        path: /mnt/data',
          '',
        ].join('\n'),
        env: ['--env', 'GREETING=bonjour'],
        plaintext: true,
      });
      // IBM's form: both sections are | block strings in the contract the runtime boots
      const text = readFileSync(join(cwd, userData), 'utf8');
      expect(text).toMatch(/^workload: \|/m);
      expect(text).toMatch(/^env: \|/m);
      const result = await boot(userData, 'play');
      expect(result.code, result.stdout + result.stderr).toBe(0);
      expect(result.stdout).toMatch(/job-main\[\d+\]: play says bonjour/);
      expect(result.stdout).toMatch(/every container has exited/);
      expect(result.stdout).toMatch(/stopped and removed/);
      await rsyslog.waitForOutput('play says bonjour');
      expect(readFileSync(join(cwd, 'play/volumes/data/play.txt'), 'utf8')).toBe('bonjour\n');
      expect(await instanceParts(join(cwd, 'play'))).toEqual([]);
    }, 60_000);

    const compose = (img: string, command = '["sleep", "30"]', env = '') =>
      `services:\n  app:\n    image: ${img}\n    command: ${command}\n${env}`;

    it('stops and removes the workload on Ctrl-C (SIGINT) while it follows the output', async () => {
      const userData = await contract({
        compose: compose(image, '["/bin/sh", "-c", "echo waiting; exec sleep 600"]'),
      });
      const child = spawn(process.execPath, [CLI, ...bootArgs(userData, 'interrupted')], {
        cwd,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      const closed = new Promise<number | null>((resolve) => child.once('close', resolve));
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString('utf8');
          if (stdout.includes('the workload runs')) resolve();
        });
        void closed.then(() => reject(new Error(`the boot ended early:\n${stdout}`)));
      });
      const instance = join(cwd, 'interrupted');
      expect(await instanceParts(instance)).toContainEqual(
        expect.stringMatching(/^container hpvs-[0-9a-f]{12}-app$/),
      );
      child.kill('SIGINT');
      expect(await closed, stdout).toBe(0);
      expect(stdout).toMatch(/app\[\d+\]: waiting/);
      expect(stdout).toMatch(/interrupted: stopping the workload/);
      expect(stdout).toMatch(/stopped and removed/);
      expect(await instanceParts(instance)).toEqual([]);
    }, 60_000);

    const negatives: [string, () => Parameters<typeof contract>[0], RegExp, string[]?][] = [
      [
        'a tag instead of a digest',
        () => ({ compose: compose(image.replace(/@sha256:.*/, ':1')) }),
        /neither pinned by @sha256: digest nor covered/,
      ],
      [
        'a digest the registry does not know',
        () => ({ compose: compose(image.replace(/@sha256:.*/, `@sha256:${'0'.repeat(64)}`)) }),
        /pulling .* failed: the registry does not know this digest \(manifest unknown\)/,
      ],
      [
        'a wrong registry password',
        () => ({ compose: compose(image), password: 'wrong-password' }),
        /pulling .* failed: the registry refused the pull \(unauthorized\)/,
      ],
      [
        'an environment value nobody sets',
        () => ({
          compose: compose(
            image,
            '["sleep", "30"]',
            '    environment:\n      X: ${MISSING_VALUE}\n',
          ),
        }),
        /uses \$\{MISSING_VALUE\} without a default, but neither workload.env nor env.env sets MISSING_VALUE/,
      ],
      [
        'a container that exits 1 at start',
        () => ({ compose: compose(image, '["/bin/sh", "-c", "echo giving up; exit 1"]') }),
        /app: did not keep running: exited with code 1 at start \(last output: giving up\)/,
      ],
      [
        'a containers.conf naming an OCI runtime that is not installed',
        () => ({ compose: compose(image) }),
        /the OCI runtime no-such-oci-runtime is not installed/,
        ['--podman-config', 'missing-runtime.conf'],
      ],
    ];
    const built = new Map<string, string>();

    describe('failures', () => {
      beforeAll(async () => {
        writeFileSync(
          join(cwd, 'missing-runtime.conf'),
          '[engine]\nruntime = "no-such-oci-runtime"\n',
        );
        // the contracts do not depend on each other: build them side by side
        await Promise.all(
          negatives.map(async ([name, make]) => built.set(name, await contract(make()))),
        );
      }, 120_000);

      it.each(negatives)(
        'refuses %s as a one-line HPL failure and leaves nothing running',
        async (name, _make, message, extra = []) => {
          const out = `neg-${negatives.findIndex(([n]) => n === name)}`;
          const result = await boot(built.get(name)!, out, extra);
          expect(result.code, result.stdout).toBe(1);
          const failure = result.stdout.split('\n').find((line) => message.test(line));
          expect(failure, result.stdout).toMatch(/^hpl-containers\[\d+\]: /);
          expect(result.stdout).toMatch(/HPL10000E/);
          expect(result.stdout).not.toMatch(/HPL15004I/);
          expect(result.stdout + result.stderr).not.toContain(PASSWORD);
          expect(existsSync(join(cwd, out, 'workload/podman/auth.json'))).toBe(false);
          expect(await instanceParts(join(cwd, out))).toEqual([]);
        },
        60_000,
      );
    });
  },
);

describe('emulator stop', () => {
  it('wants exactly one of --out-dir and --state (usage, exit 2)', async () => {
    for (const args of [[], ['--out-dir', 'a', '--state', 'b']]) {
      const result = await runCli(['emulator', 'stop', ...args]);
      expect(result.code).toBe(2);
      expect(isOneLineError(result.stderr)).toBe(true);
      expect(result.stderr).toMatch(/give exactly one of --out-dir DIR and --state DIR/);
    }
  });
});

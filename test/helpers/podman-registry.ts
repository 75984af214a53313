import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  copyFileSync,
  writeFileSync,
} from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SANDBOX_CONTAINERS_CONF } from '../../src/emulator/runtimes/podman-config.js';
import { freeLoopbackPort } from './rsyslog.js';

/**
 * Real container parts for the podman runtime's tests: podman with the sandbox configuration,
 * a busybox image made offline from busybox-static, and Debian's `docker-registry` on
 * 127.0.0.1 with TLS and htpasswd (bcrypt) authentication.
 */

export const BUSYBOX = '/bin/busybox';
const APPLETS = ['sh', 'echo', 'cat', 'sleep', 'mkdir', 'httpd', 'ls'];

let sandboxConf: string | undefined;
/** A containers.conf with the sandbox settings, for the tests' own podman calls. */
export function sandboxContainersConf(): string {
  if (sandboxConf === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'hpvs-podman-conf-'));
    sandboxConf = join(dir, 'containers.conf');
    writeFileSync(sandboxConf, SANDBOX_CONTAINERS_CONF);
  }
  return sandboxConf;
}

export function podman(args: string[], input?: string) {
  const result = spawnSync('podman', args, {
    input,
    encoding: 'utf8',
    env: { ...process.env, CONTAINERS_CONF: sandboxContainersConf() },
  });
  return { status: result.status ?? -1, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

function must(args: string[], input?: string): string {
  const result = podman(args, input);
  if (result.status !== 0) throw new Error(`podman ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
}

/** Imports a one-binary busybox image; returns its reference and image id. */
export function importBusyboxImage(dir: string, reference: string): string {
  const rootfs = join(dir, 'rootfs');
  mkdirSync(join(rootfs, 'bin'), { recursive: true });
  mkdirSync(join(rootfs, 'data'));
  mkdirSync(join(rootfs, 'tmp'));
  copyFileSync(BUSYBOX, join(rootfs, 'bin', 'busybox'));
  for (const applet of APPLETS) symlinkSync('busybox', join(rootfs, 'bin', applet));
  const tar = join(dir, 'busybox.tar');
  const packed = spawnSync('tar', ['-C', rootfs, '-cf', tar, '.']);
  if (packed.status !== 0) throw new Error(`tar: ${packed.stderr}`);
  return must(['import', '--quiet', tar, reference]);
}

let skipReason: string | undefined | null = null;
/**
 * Why the podman tests cannot run here, found by really running a container (podman, runc and
 * busybox-static installed, and a container that starts); undefined when they can.
 */
export function podmanSkipReason(): string | undefined {
  if (skipReason !== null) return skipReason;
  skipReason = (() => {
    if (spawnSync('podman', ['--version']).status !== 0)
      return 'podman is not installed (apt-get install podman runc catatonit)';
    if (!existsSync(BUSYBOX)) return `${BUSYBOX} is missing (apt-get install busybox-static)`;
    if (spawnSync('docker-registry', ['--version']).status !== 0)
      return 'docker-registry is not installed (apt-get install docker-registry)';
    if (spawnSync('htpasswd', ['-h']).error !== undefined)
      return 'htpasswd is not installed (apt-get install apache2-utils)';
    const dir = mkdtempSync(join(tmpdir(), 'hpvs-podman-probe-'));
    const reference = `localhost/hpvs-ctl-probe:${process.pid}`;
    try {
      importBusyboxImage(dir, reference);
      const run = podman(['run', '--rm', reference, '/bin/sh', '-c', 'echo ok']);
      if (run.stdout.trim() !== 'ok')
        return `podman cannot run a container here: ${run.stderr.trim().split('\n').pop()}`;
      const pod = podman(['pod', 'create', '--name', `hpvs-ctl-probe-${process.pid}`]);
      if (pod.status !== 0)
        return `podman cannot create a pod here: ${pod.stderr.trim().split('\n').pop()}`;
      podman(['pod', 'rm', '--force', `hpvs-ctl-probe-${process.pid}`]);
      return undefined;
    } catch (error) {
      return `podman cannot import an image here: ${(error as Error).message.split('\n')[0]}`;
    } finally {
      podman(['rmi', '--force', reference]);
      rmSync(dir, { recursive: true, force: true });
    }
  })();
  return skipReason;
}

export interface Registry {
  host: string;
  /** Pushes a local image as `host/repository:tag`; returns `host/repository@<digest>` as the registry reports it. */
  push(local: string, repository: string, tag: string): Promise<string>;
  stop(): Promise<void>;
}

/** docker-registry on a free loopback port with TLS (cert/key PEM files) and one htpasswd user. */
export async function startRegistry(options: {
  dir: string;
  certFile: string;
  keyFile: string;
  caFile: string;
  caPem: string;
  username: string;
  password: string;
}): Promise<Registry> {
  const port = await freeLoopbackPort();
  const host = `127.0.0.1:${port}`;
  mkdirSync(join(options.dir, 'data'), { recursive: true });
  const htpasswd = spawnSync('htpasswd', ['-niB', options.username], {
    input: options.password,
    encoding: 'utf8',
  });
  if (htpasswd.status !== 0) throw new Error(`htpasswd: ${htpasswd.stderr}`);
  writeFileSync(join(options.dir, 'htpasswd'), htpasswd.stdout);
  const config = join(options.dir, 'config.yml');
  writeFileSync(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: error',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${join(options.dir, 'data')}`,
      'http:',
      `  addr: ${host}`,
      '  secret: hpvs-ctl-test-registry',
      '  tls:',
      `    certificate: ${options.certFile}`,
      `    key: ${options.keyFile}`,
      'auth:',
      '  htpasswd:',
      '    realm: hpvs-ctl-test',
      `    path: ${join(options.dir, 'htpasswd')}`,
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn('docker-registry', ['serve', config], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let diagnostics = '';
  child.stderr!.on('data', (chunk: Buffer) => (diagnostics += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const certDir = join(options.dir, 'certs');
  mkdirSync(certDir, { recursive: true });
  copyFileSync(options.caFile, join(certDir, 'ca.crt'));
  const authFile = join(options.dir, 'auth.json');
  writeFileSync(
    authFile,
    JSON.stringify({
      auths: {
        [host]: {
          auth: Buffer.from(`${options.username}:${options.password}`).toString('base64'),
        },
      },
    }),
    { mode: 0o600 },
  );
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  const deadline = Date.now() + 10_000;
  for (;;) {
    const status = await manifestStatus(host, options, '/v2/').catch(() => undefined);
    if (status === 200) break;
    if (Date.now() > deadline || child.exitCode !== null) {
      await stop();
      throw new Error(`docker-registry did not come up on ${host}: ${diagnostics}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    host,
    async push(local, repository, tag) {
      must([
        'push',
        '--quiet',
        '--cert-dir',
        certDir,
        '--authfile',
        authFile,
        local,
        `${host}/${repository}:${tag}`,
      ]);
      const digest = await manifestDigest(host, options, `/v2/${repository}/manifests/${tag}`);
      return `${host}/${repository}@${digest}`;
    },
    stop,
  };
}

interface Credentials {
  caPem: string;
  username: string;
  password: string;
}

function registryRequest(
  host: string,
  options: Credentials,
  path: string,
): Promise<{ status: number; digest: string | undefined }> {
  const [hostname, port] = host.split(':');
  return new Promise((resolve, reject) => {
    const req = request(
      {
        hostname,
        port: Number(port),
        path,
        method: 'HEAD',
        ca: options.caPem,
        auth: `${options.username}:${options.password}`,
        headers: {
          accept: [
            'application/vnd.oci.image.manifest.v1+json',
            'application/vnd.docker.distribution.manifest.v2+json',
          ].join(', '),
        },
      },
      (res) => {
        res.resume();
        const digest = res.headers['docker-content-digest'];
        resolve({
          status: res.statusCode ?? 0,
          digest: typeof digest === 'string' ? digest : undefined,
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function manifestStatus(host: string, options: Credentials, path: string): Promise<number> {
  return (await registryRequest(host, options, path)).status;
}

/** The digest the registry reports for a manifest (`Docker-Content-Digest`). */
async function manifestDigest(host: string, options: Credentials, path: string): Promise<string> {
  const { status, digest } = await registryRequest(host, options, path);
  if (status !== 200 || digest === undefined || !/^sha256:[0-9a-f]{64}$/.test(digest))
    throw new Error(`the registry answered ${status} without a digest for ${path}`);
  return digest;
}

/** Containers (infra ones left out) that carry the emulator's instance label, on this host. */
export function emulatorContainers(): string[] {
  return must([
    'ps',
    '--all',
    '--filter',
    'label=io.github.hpvs-ctl.emulator.instance',
    '--format',
    '{{.Names}}',
  ])
    .split('\n')
    .filter(Boolean);
}

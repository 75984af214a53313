import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  copyFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startRegistry as startDockerRegistry,
  type Registry,
} from '../../scripts/lib/docker-registry.mjs';
import { SANDBOX_CONTAINERS_CONF } from '../../src/emulator/runtimes/podman-config.js';
import { instanceId } from '../../src/emulator/runtimes/podman-instance.js';
import { INSTANCE_LABEL, podmanName } from '../../src/emulator/runtimes/podman-invocations.js';

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

export type { Registry } from '../../scripts/lib/docker-registry.mjs';

/** The shared docker-registry (TLS, htpasswd), podman pushing with the sandbox configuration. */
export function startRegistry(options: {
  dir: string;
  tlsDir: string;
  username: string;
  password: string;
}): Promise<Registry> {
  return startDockerRegistry({ ...options, env: { CONTAINERS_CONF: sandboxContainersConf() } });
}

/**
 * What podman holds of one emulator instance: `container NAME`, `pod NAME` and `volume NAME`
 * for each part that carries the instance's label or its `hpvs-<id>-` name prefix (infra
 * containers included). Scoped to the instance so that test files booting other instances at
 * the same time (another vitest fork, the demo) never show up in each other's checks.
 */
export async function instanceParts(instanceDir: string): Promise<string[]> {
  const id = await instanceId(instanceDir);
  const ours = (name: string, labels: Record<string, string> | null | undefined) =>
    labels?.[INSTANCE_LABEL] === id || name.startsWith(podmanName(id, ''));
  const rows = <T>(args: string[]): T[] => JSON.parse(must(args) || '[]') as T[];
  const parts: string[] = [];
  for (const c of rows<{ Names: string[]; Labels: Record<string, string> | null; Pod: string }>([
    'ps',
    '--all',
    '--format',
    'json',
  ])) {
    const name = c.Names[0] ?? '';
    if (ours(name, c.Labels)) parts.push(`container ${name}`);
  }
  for (const p of rows<{ Name: string; Labels: Record<string, string> | null }>([
    'pod',
    'ps',
    '--format',
    'json',
  ])) {
    if (ours(p.Name, p.Labels)) parts.push(`pod ${p.Name}`);
  }
  for (const v of rows<{ Name: string; Labels: Record<string, string> | null }>([
    'volume',
    'ls',
    '--format',
    'json',
  ])) {
    if (ours(v.Name, v.Labels)) parts.push(`volume ${v.Name}`);
  }
  return parts;
}

// Helpers the demo and the podman benchmark share: find out (by trying) whether podman can run
// a container here and with which containers.conf, make a busybox image offline from
// busybox-static, and serve it from Debian's docker-registry on 127.0.0.1 with TLS and htpasswd,
// referenced by the digest the registry reports.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startRegistry } from './docker-registry.mjs';

const SANDBOX_CONF = `[containers]
default_ulimits = []
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
`;

function run(command, args, { env, input } = {}) {
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    input,
    env: { ...process.env, ...env },
  });
  return { status: result.status ?? -1, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

/**
 * Imports a busybox image and runs it with the host's podman configuration, then with the
 * sandbox one. Resolves to { config: 'system' | 'sandbox', env, local } or { skip: reason }.
 */
export function probePodman(work) {
  if (run('podman', ['--version']).status !== 0) return { skip: 'podman is not installed' };
  for (const tool of ['docker-registry', 'htpasswd']) {
    if (run('sh', ['-c', `command -v ${tool}`]).status !== 0)
      return { skip: `${tool} is not installed` };
  }
  if (!existsSync('/bin/busybox'))
    return { skip: '/bin/busybox (busybox-static) is not installed' };
  const rootfs = join(work, 'busybox-rootfs');
  mkdirSync(join(rootfs, 'bin'), { recursive: true });
  for (const dir of ['data', 'tmp']) mkdirSync(join(rootfs, dir));
  copyFileSync('/bin/busybox', join(rootfs, 'bin', 'busybox'));
  for (const applet of ['sh', 'echo', 'cat', 'sleep', 'date', 'hostname'])
    symlinkSync('busybox', join(rootfs, 'bin', applet));
  const tar = join(work, 'busybox.tar');
  run('tar', ['-C', rootfs, '-cf', tar, '.']);
  const confFile = join(work, 'sandbox-containers.conf');
  writeFileSync(confFile, SANDBOX_CONF);
  const local = `localhost/hpvs-ctl-demo-busybox:${process.pid}`;
  const imported = run('podman', ['import', '--quiet', tar, local]);
  if (imported.status !== 0)
    return { skip: `podman import failed: ${imported.stderr.trim().split('\n').pop()}` };
  let last = '';
  for (const [config, env] of [
    ['system', {}],
    ['sandbox', { CONTAINERS_CONF: confFile }],
  ]) {
    const tried = run('podman', ['run', '--rm', local, '/bin/sh', '-c', 'echo ok'], { env });
    if (tried.stdout.trim() === 'ok') return { config, env, local, id: imported.stdout.trim() };
    last = tried.stderr.trim().split('\n').pop();
  }
  run('podman', ['rmi', '--force', local]);
  return { skip: `podman cannot run a container here: ${last}` };
}

/**
 * docker-registry (see docker-registry.mjs) with the TLS files of `certs syslog --out-dir
 * tlsDir` and one htpasswd user; pushes `local` and resolves to
 * { image: 'host/repo@sha256:...', host, stop() }.
 */
export async function serveImage({ work, local, env, tlsDir, username, password }) {
  const registry = await startRegistry({
    dir: join(work, 'registry'),
    tlsDir,
    username,
    password,
    env,
  });
  try {
    return { ...registry, image: await registry.push(local, 'demo/busybox', '1') };
  } catch (error) {
    await registry.stop();
    throw error;
  }
}

export function removeImage(env, reference) {
  run('podman', ['rmi', '--force', reference], { env });
}

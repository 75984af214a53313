// Helpers the demo and the podman benchmark share: find out (by trying) whether podman can run
// a container here and with which containers.conf, make a busybox image offline from
// busybox-static, and serve it from Debian's docker-registry on 127.0.0.1 with TLS and htpasswd,
// referenced by the digest the registry reports.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { freeLoopbackPort } from './log-server-process.mjs';

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
 * docker-registry on a free loopback port with the TLS files given and one htpasswd user;
 * pushes `local` and resolves to { image: 'host/repo@sha256:...', host, stop() }.
 */
export async function serveImage({ work, local, env, tls, username, password }) {
  const port = await freeLoopbackPort();
  const host = `127.0.0.1:${port}`;
  const dir = join(work, 'registry');
  mkdirSync(join(dir, 'data'), { recursive: true });
  const htpasswd = run('htpasswd', ['-niB', username], { input: password });
  writeFileSync(join(dir, 'htpasswd'), htpasswd.stdout);
  writeFileSync(
    join(dir, 'config.yml'),
    `version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: ${join(dir, 'data')}
http:
  addr: ${host}
  secret: hpvs-ctl-demo
  tls:
    certificate: ${tls.cert}
    key: ${tls.key}
auth:
  htpasswd:
    realm: hpvs-ctl-demo
    path: ${join(dir, 'htpasswd')}
`,
  );
  const child = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: 'ignore' });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  const caPem = (await import('node:fs')).readFileSync(tls.ca, 'utf8');
  const ask = (path) =>
    new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path,
          method: 'HEAD',
          ca: caPem,
          auth: `${username}:${password}`,
          headers: {
            accept:
              'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json',
          },
        },
        (res) => {
          res.resume();
          resolve(res);
        },
      );
      req.on('error', reject);
      req.end();
    });
  try {
    const deadline = Date.now() + 10_000;
    while ((await ask('/v2/').catch(() => undefined))?.statusCode !== 200) {
      if (Date.now() > deadline) throw new Error(`docker-registry did not answer on ${host}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const certDir = join(dir, 'certs');
    mkdirSync(certDir);
    copyFileSync(tls.ca, join(certDir, 'ca.crt'));
    const authFile = join(dir, 'auth.json');
    writeFileSync(
      authFile,
      JSON.stringify({
        auths: { [host]: { auth: Buffer.from(`${username}:${password}`).toString('base64') } },
      }),
      { mode: 0o600 },
    );
    const pushed = run(
      'podman',
      [
        'push',
        '--quiet',
        '--cert-dir',
        certDir,
        '--authfile',
        authFile,
        local,
        `${host}/demo/busybox:1`,
      ],
      { env },
    );
    if (pushed.status !== 0) throw new Error(`podman push: ${pushed.stderr}`);
    const digest = (await ask('/v2/demo/busybox/manifests/1')).headers['docker-content-digest'];
    if (!/^sha256:[0-9a-f]{64}$/.test(String(digest)))
      throw new Error('the registry reported no digest');
    return { image: `${host}/demo/busybox@${digest}`, host, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

export function removeImage(env, reference) {
  run('podman', ['rmi', '--force', reference], { env });
}

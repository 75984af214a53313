// Debian's `docker-registry` on 127.0.0.1 with TLS and one htpasswd (bcrypt) user, and podman
// pushing to it by the digest the registry reports: shared by the demo, the podman benchmark
// and the podman runtime's tests.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { freeLoopbackPort } from './log-server-process.mjs';

/**
 * Starts docker-registry on a free loopback port, its files in `dir`, with the TLS files of
 * `hpvs-ctl certs syslog --out-dir tlsDir` (ca.crt, server.crt, server-key.pem). `env` is
 * added to podman's environment for the pushes (e.g. CONTAINERS_CONF).
 */
export async function startRegistry({ dir, tlsDir, username, password, env = {} }) {
  const port = await freeLoopbackPort();
  const host = `127.0.0.1:${port}`;
  const credentials = {
    caPem: readFileSync(join(tlsDir, 'ca.crt'), 'utf8'),
    username,
    password,
  };
  mkdirSync(join(dir, 'data'), { recursive: true });
  const htpasswd = spawnSync('htpasswd', ['-niB', username], { input: password, encoding: 'utf8' });
  if (htpasswd.status !== 0) throw new Error(`htpasswd: ${htpasswd.stderr}`);
  writeFileSync(join(dir, 'htpasswd'), htpasswd.stdout);
  const config = join(dir, 'config.yml');
  writeFileSync(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: error',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${join(dir, 'data')}`,
      'http:',
      `  addr: ${host}`,
      '  secret: hpvs-ctl-registry',
      '  tls:',
      `    certificate: ${join(tlsDir, 'server.crt')}`,
      `    key: ${join(tlsDir, 'server-key.pem')}`,
      'auth:',
      '  htpasswd:',
      '    realm: hpvs-ctl',
      `    path: ${join(dir, 'htpasswd')}`,
      '',
    ].join('\n'),
  );
  const child = spawn('docker-registry', ['serve', config], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let diagnostics = '';
  child.stderr.on('data', (chunk) => (diagnostics += chunk.toString('utf8')));
  const exited = new Promise((resolve) => child.once('exit', () => resolve()));
  const certDir = join(dir, 'certs');
  mkdirSync(certDir, { recursive: true });
  copyFileSync(join(tlsDir, 'ca.crt'), join(certDir, 'ca.crt'));
  const authFile = join(dir, 'auth.json');
  writeFileSync(
    authFile,
    JSON.stringify({
      auths: { [host]: { auth: Buffer.from(`${username}:${password}`).toString('base64') } },
    }),
    { mode: 0o600 },
  );
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  const deadline = Date.now() + 10_000;
  for (;;) {
    const answer = await registryRequest(host, credentials, '/v2/').catch(() => undefined);
    if (answer?.status === 200) break;
    if (Date.now() > deadline || child.exitCode !== null) {
      await stop();
      throw new Error(`docker-registry did not come up on ${host}: ${diagnostics}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    host,
    async push(local, repository, tag) {
      const pushed = spawnSync(
        'podman',
        [
          'push',
          '--quiet',
          '--cert-dir',
          certDir,
          '--authfile',
          authFile,
          local,
          `${host}/${repository}:${tag}`,
        ],
        { encoding: 'utf8', env: { ...process.env, ...env } },
      );
      if (pushed.status !== 0) throw new Error(`podman push: ${pushed.stderr}`);
      const path = `/v2/${repository}/manifests/${tag}`;
      const { status, digest } = await registryRequest(host, credentials, path);
      if (status !== 200 || digest === undefined || !/^sha256:[0-9a-f]{64}$/.test(digest))
        throw new Error(`the registry answered ${status} without a digest for ${path}`);
      return `${host}/${repository}@${digest}`;
    },
    stop,
  };
}

/** HEAD `path` with the credentials; resolves to the status and `Docker-Content-Digest`. */
function registryRequest(host, { caPem, username, password }, path) {
  const [hostname, port] = host.split(':');
  return new Promise((resolve, reject) => {
    const req = request(
      {
        hostname,
        port: Number(port),
        path,
        method: 'HEAD',
        ca: caPem,
        auth: `${username}:${password}`,
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

/** Appends the registry's CA to an env section file as `cacerts`, so the runtime trusts it. */
export function trustRegistryCa(envFile, caFile) {
  const ca = readFileSync(caFile).toString('base64');
  writeFileSync(envFile, `${readFileSync(envFile, 'utf8')}cacerts:\n  - registry: ${ca}\n`);
}

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildTgz } from '../../src/archive/build-tgz.js';
import type { ContainerRuntimeInput } from '../../src/emulator/runtimes/container-runtime.js';
import { planRuntime } from '../../src/emulator/runtimes/plan-runtime.js';
import {
  createPodmanRuntime,
  podmanCommands,
  PODMAN_PROJECT,
} from '../../src/emulator/runtimes/podman-runtime.js';
import { selectRuntime } from '../../src/emulator/runtimes/select-runtime.js';
import {
  planWorkload,
  renderTemplates,
  substituteCompose,
} from '../../src/emulator/runtimes/workload-plan.js';
import { useTempDir } from '../helpers/temp-dir.js';

const tempDir = useTempDir('hpvs-emulator-runtime-');
const DIGEST = `sha256:${'a'.repeat(64)}`;
let runs = 0;

async function composeWorkload(compose: string, extra: Record<string, unknown> = {}) {
  const archive = await buildTgz([
    { type: 'file', path: 'docker-compose.yaml', data: Buffer.from(compose), executable: false },
    { type: 'directory', path: 'static' },
    { type: 'file', path: 'static/index.html', data: Buffer.from('hi'), executable: false },
  ]);
  return { type: 'workload', compose: { archive: archive.toString('base64') }, ...extra };
}

function input(
  workload: Record<string, unknown>,
  environment: Record<string, string> = {},
): ContainerRuntimeInput & { logged: string[] } {
  const logged: string[] = [];
  return {
    workload,
    environment,
    volumes: [{ name: 'data', mount: '/mnt/data' }],
    workDir: join(tempDir(), `run-${++runs}`),
    log: (text) => logged.push(text),
    logged,
  };
}

describe('plan runtime', () => {
  it('extracts the archive, fills ${VAR} from the environment and plans each service', async () => {
    const run = input(
      await composeWorkload(
        [
          'services:',
          '  web:',
          `    image: example.com/web@${DIGEST}`,
          '    ports: ["127.0.0.1:8080:80/tcp", "9090:90"]',
          '    volumes: ["/mnt/data/www:/var/www", "./static:/static:ro"]',
          '  worker:',
          '    image: ${WORKER_IMAGE}',
          '',
        ].join('\n'),
        { images: { rhs: { 'example.com/worker': { publicKey: 'AAAA' } } } },
      ),
      { WORKER_IMAGE: 'example.com/worker:1.0' },
    );
    const result = await planRuntime.run(run);
    expect(result.containers.map((c) => [c.name, c.image, c.status])).toEqual([
      ['web', `example.com/web@${DIGEST}`, 'planned'],
      ['worker', 'example.com/worker:1.0', 'planned'],
    ]);
    expect(run.logged[0]).toContain('ports 8080->80/tcp, 9090->90/tcp');
    expect(run.logged[1]).toContain('signed, workload.images.rhs');
    // a plan keeps the decrypted workload in memory; an engine gets the files
    expect(existsSync(join(run.workDir, 'compose'))).toBe(false);
    await planWorkload(run, { materialize: true });
    expect(existsSync(join(run.workDir, 'compose/static/index.html'))).toBe(true);
  });

  it.each([
    [
      'an image without digest or signature',
      `  web:\n    image: nginx:latest\n`,
      /nginx:latest.*neither pinned by @sha256: digest nor covered/,
    ],
    ['a build: section', `  web:\n    build: .\n    image: x@${DIGEST}\n`, /build: section/],
    [
      'an invalid port',
      `  web:\n    image: x@${DIGEST}\n    ports: ["99999:80"]\n`,
      /out of the range/,
    ],
    [
      'a host port used twice',
      `  a:\n    image: x@${DIGEST}\n    ports: ["80:80"]\n  b:\n    image: y@${DIGEST}\n    ports: ["80:81"]\n`,
      /host port 80\/tcp is published by both "a" and "b"/,
    ],
    [
      'a host path outside the contract volumes',
      `  web:\n    image: x@${DIGEST}\n    volumes: ["/etc:/host-etc"]\n`,
      /host path \/etc, which is not on a contract volume/,
    ],
    [
      'a relative mount missing from the archive',
      `  web:\n    image: x@${DIGEST}\n    volumes: ["./missing:/m"]\n`,
      /\.\/missing, which is not in the workload archive/,
    ],
  ])('refuses %s', async (_name, services, message) => {
    await expect(
      planRuntime.run(input(await composeWorkload(`services:\n${services}`))),
    ).rejects.toMatchObject({
      code: 'RUNTIME_FAILED',
      message: expect.stringMatching(message),
    });
  });

  it('plans play resources and renders play templates from the environment', async () => {
    const pod = (image: string) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'app' },
      spec: {
        containers: [{ name: 'main', image, ports: [{ containerPort: 80, hostPort: 8080 }] }],
      },
    });
    const resources = await planRuntime.run(
      input({ type: 'workload', play: { resources: [pod(`x@${DIGEST}`)] } }),
    );
    expect(resources.containers[0]).toMatchObject({ name: 'app-main', status: 'planned' });
    const templates = await planRuntime.run(
      input(
        { type: 'workload', play: { templates: [pod('{{ .Env.IMAGE }}')] } },
        { IMAGE: `y@${DIGEST}` },
      ),
    );
    expect(templates.containers[0]!.image).toBe(`y@${DIGEST}`);
    await expect(
      planRuntime.run(input({ type: 'workload', play: { templates: [pod('{{ .Env.IMAGE }}')] } })),
    ).rejects.toThrow(/neither workload.env nor env.env sets IMAGE/);
  });

  it('refuses an archive holding a symbolic link, through the safe extractor', async () => {
    const { pack } = await import('tar-stream');
    const { gzipSync } = await import('node:zlib');
    const packer = pack();
    packer.entry({ name: 'docker-compose.yaml', type: 'symlink', linkname: '/etc/passwd' });
    packer.finalize();
    const chunks: Buffer[] = [];
    for await (const chunk of packer) chunks.push(chunk as Buffer);
    const archive = gzipSync(Buffer.concat(chunks)).toString('base64');
    await expect(
      planRuntime.run(input({ type: 'workload', compose: { archive } })),
    ).rejects.toMatchObject({ code: 'ARCHIVE_REFUSED' });
  });
});

describe('compose interpolation', () => {
  it('handles ${VAR}, ${VAR:-default}, $VAR and $$', () => {
    expect(substituteCompose('a=${A} b=${B:-dflt} c=$C d=$$D', { A: '1', C: '3' })).toBe(
      'a=1 b=dflt c=3 d=$D',
    );
  });

  it('renders Go-template environment references in nested values', () => {
    expect(renderTemplates([{ a: ['{{ .Env.X }}-{{.Env.X}}'] }], { X: 'v' })).toEqual([
      { a: ['v-v'] },
    ]);
  });
});

describe('podman runtime', () => {
  it('runs podman compose up for a compose workload with the merged environment', async () => {
    const run = input(await composeWorkload(`services:\n  web:\n    image: x@${DIGEST}\n`), {
      A: '1',
    });
    const plan = await planWorkload(run);
    expect(podmanCommands(plan, run.environment)).toEqual([
      {
        args: [
          'compose',
          '--project-name',
          PODMAN_PROJECT,
          '--file',
          join(run.workDir, 'compose/docker-compose.yaml'),
          'up',
          '--detach',
        ],
        env: { A: '1' },
      },
    ]);
  });

  it('runs podman kube play --replace for each pod file', async () => {
    const run = input({
      type: 'workload',
      play: {
        resources: [
          {
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: { name: 'p' },
            spec: { containers: [{ name: 'c', image: `x@${DIGEST}` }] },
          },
        ],
      },
    });
    const plan = await planWorkload(run);
    expect(podmanCommands(plan, {})).toEqual([
      {
        args: ['kube', 'play', '--replace', join(run.workDir, 'play/play-resources.yaml')],
        env: {},
      },
    ]);
  });

  it('runs the commands in the compose folder with the environment (podman is not installed here: a stand-in script records its calls)', async () => {
    const bin = join(tempDir(), 'fake-podman');
    const calls = join(tempDir(), 'podman-calls.txt');
    writeFileSync(
      bin,
      `#!/bin/sh\nif [ "$1" = --version ]; then echo "podman version 5.0.0"; exit 0; fi\nif [ "$1" = login ]; then echo "$*|$(cat)" >> ${calls}; exit 0; fi\necho "$PWD|$GREETING|$*" >> ${calls}\n`,
      { mode: 0o755 },
    );
    const run = input(
      await composeWorkload(`services:\n  web:\n    image: x@${DIGEST}\n`, {
        auths: { 'https://index.docker.io/v1/': { username: 'me', password: 's3cret' } },
      }),
      { GREETING: 'hi' },
    );
    const result = await createPodmanRuntime(bin).run(run);
    expect(result.containers).toEqual([
      expect.objectContaining({ name: 'web', status: 'started' }),
    ]);
    const composeDir = join(run.workDir, 'compose');
    expect(readFileSync(calls, 'utf8')).toBe(
      `login --username me --password-stdin docker.io|s3cret\n` +
        `${composeDir}|hi|compose --project-name ${PODMAN_PROJECT} --file ${composeDir}/docker-compose.yaml up --detach\n`,
    );
    expect(run.logged[0]).toBe('using podman version 5.0.0');
    // the password reaches podman on stdin only, never argv or the console
    expect(run.logged.join('\n')).not.toContain('s3cret');
    const failing = join(tempDir(), 'failing-podman');
    writeFileSync(
      failing,
      '#!/bin/sh\n[ "$1" = --version ] && exit 0\necho "Error: image not known" >&2\nexit 125\n',
      { mode: 0o755 },
    );
    await expect(
      createPodmanRuntime(failing).run(input({ ...run.workload, auths: undefined }, {})),
    ).rejects.toMatchObject({
      code: 'RUNTIME_FAILED',
      message: expect.stringMatching(/compose up failed \(exit 125\): Error: image not known/),
    });
  });

  it('says plainly that podman is missing', async () => {
    const runtime = createPodmanRuntime('podman-not-installed-here');
    await expect(
      runtime.run(input(await composeWorkload(`services:\n  web:\n    image: x@${DIGEST}\n`))),
    ).rejects.toMatchObject({
      code: 'TOOL_MISSING',
      message: expect.stringMatching(
        /podman-not-installed-here is not installed \(.*use --runtime plan\)/,
      ),
    });
  });
});

describe('selectRuntime', () => {
  it('loads a third-party runtime module and hands it the input', async () => {
    const module = join(tempDir(), 'echo-runtime.mjs');
    writeFileSync(
      module,
      'export default { name: "echo", async run(input) { input.log("echo " + Object.keys(input.environment).join(",")); return { containers: [{ name: "c", image: "i", status: "started", detail: "ok" }] }; } };\n',
    );
    const runtime = await selectRuntime(module);
    expect(runtime.name).toBe('echo');
    const run = input({ type: 'workload' }, { K: 'v' });
    expect((await runtime.run(run)).containers[0]!.status).toBe('started');
    expect(run.logged).toEqual(['echo K']);
  });

  it('refuses a module without a runtime and an unknown name', async () => {
    const module = join(tempDir(), 'not-a-runtime.mjs');
    writeFileSync(module, 'export const x = 1;\n');
    await expect(selectRuntime(module)).rejects.toMatchObject({ code: 'RUNTIME_FAILED' });
    await expect(selectRuntime('docker')).rejects.toMatchObject({ code: 'USAGE' });
    await expect(selectRuntime('./missing-runtime.mjs')).rejects.toMatchObject({
      code: 'RUNTIME_FAILED',
      message: expect.stringMatching(/cannot load the runtime module/),
    });
  });
});

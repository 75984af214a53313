import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliMessage, cliNotice } from '../../src/cli/commands/input-phrases.js';
import { buildTgz } from '../../src/core/archive/build-tgz.js';
import type { HpvsError } from '../../src/core/errors.js';
import type { ContainerRuntimeInput } from '../../src/emulator/runtimes/container-runtime.js';
import { planRuntime } from '../../src/emulator/runtimes/plan-runtime.js';
import { explainPodmanFailure } from '../../src/emulator/runtimes/podman-config.js';
import { INSTANCE_LABEL, podmanWorkload } from '../../src/emulator/runtimes/podman-invocations.js';
import { createPodmanRuntime, podmanAuthFile } from '../../src/emulator/runtimes/podman-runtime.js';
import { selectRuntime } from '../../src/emulator/runtimes/select-runtime.js';
import { renderTemplates, substituteCompose } from '../../src/core/workload/interpolation.js';
import { planWorkload } from '../../src/emulator/runtimes/workload-plan.js';
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
  const instanceDir = join(tempDir(), `run-${++runs}`);
  return {
    workload,
    environment,
    volumes: [{ name: 'data', mount: '/mnt/data', folder: join(instanceDir, 'volumes/data') }],
    workDir: join(instanceDir, 'workload'),
    instanceDir,
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

  it('refuses a compose file that is not UTF-8 at its first bad byte, not with U+FFFD in a value', async () => {
    const compose = Buffer.concat([
      Buffer.from(`services:\n  web:\n    image: x@${DIGEST}\n    environment:\n      SEED: s`),
      Buffer.from([0xff]),
      Buffer.from('\n'),
    ]);
    const archive = await buildTgz([
      { type: 'file', path: 'docker-compose.yaml', data: compose, executable: false },
    ]);
    const workload = { type: 'workload', compose: { archive: archive.toString('base64') } };
    await expect(planRuntime.run(input(workload))).rejects.toMatchObject({
      code: 'RUNTIME_FAILED',
      message:
        'docker-compose.yaml:5:14: not UTF-8 (byte 0xff); a YAML file must be UTF-8: re-save it as UTF-8',
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

describe('podman runtime (translation; test/commands/emulator-podman.test.ts runs it for real)', () => {
  it('puts compose services in one labelled pod with ports, env by name, volumes and command', async () => {
    const run = input(
      await composeWorkload(
        [
          'services:',
          '  web:',
          `    image: x.io/web@${DIGEST}`,
          '    ports: ["127.0.0.1:8080:80", "9090:90/udp", "70"]',
          '    environment: { SECRET_TOKEN: "${TOKEN}", PLAIN: "1" }',
          '    volumes: ["/mnt/data/www:/var/www:ro", "./static:/static", "cache:/cache", "/tmp/anon"]',
          '    entrypoint: /bin/sh -c',
          '    command: "echo \'hi there\'"',
          '    working_dir: /srv',
          '',
        ].join('\n'),
      ),
      { TOKEN: 't0ken' },
    );
    const plan = await planWorkload(run);
    expect(plan.problems).toEqual([]);
    const steps = podmanWorkload(plan, 'abc', run.volumes, join(run.workDir, 'podman'));
    const label = `${INSTANCE_LABEL}=abc`;
    expect(steps.images).toEqual([`x.io/web@${DIGEST}`]);
    expect(steps.pods[0]!.args).toEqual([
      'pod',
      'create',
      '--name',
      'hpvs-abc-compose',
      '--label',
      label,
      '--publish',
      '127.0.0.1:8080:80/tcp',
      '--publish',
      '9090:90/udp',
      '--publish',
      '70/tcp',
      '--add-host',
      'web:127.0.0.1',
    ]);
    const folder = run.volumes[0]!.folder;
    const envPath = join(run.workDir, 'podman', 'hpvs-abc-web.env');
    expect(steps.containers[0]!.step).toEqual({
      args: [
        'run',
        '--detach',
        '--pull',
        'never',
        '--pod',
        'hpvs-abc-compose',
        '--name',
        'hpvs-abc-web',
        '--label',
        label,
        '--env-file',
        envPath,
        '--volume',
        `${folder}/www:/var/www:ro`,
        '--volume',
        `${join(run.workDir, 'compose/static')}:/static`,
        '--volume',
        'hpvs-abc-cache:/cache',
        '--volume',
        '/tmp/anon',
        '--workdir',
        '/srv',
        '--entrypoint',
        '["/bin/sh","-c"]',
        `x.io/web@${DIGEST}`,
        'echo',
        'hi there',
      ],
      // values reach podman through an owner-only file, never its argv or its own environment
      envFile: { path: envPath, values: { SECRET_TOKEN: 't0ken', PLAIN: '1' } },
    });
    expect(steps.volumes[0]!.args).toEqual([
      'volume',
      'create',
      '--label',
      label,
      'hpvs-abc-cache',
    ]);
    expect(steps.hostFolders).toEqual([`${folder}/www`]);
  });

  it('refuses what podman cannot express: ":" in a host path, a line break in a value', async () => {
    const run = input(
      await composeWorkload(
        `services:\n  web:\n    image: x@${DIGEST}\n    environment: { A: "one\\ntwo" }\n`,
      ),
    );
    const plan = await planWorkload(run);
    expect(() => podmanWorkload(plan, 'abc', run.volumes, run.workDir)).toThrow(
      /"web" environment "A": podman cannot pass a name with "=" or a value with a line break/,
    );
    const colon = input(
      await composeWorkload(
        `services:\n  web:\n    image: x@${DIGEST}\n    volumes: ["/mnt/data:/d"]\n`,
      ),
    );
    const volumes = [{ name: 'data', mount: '/mnt/data', folder: '/tmp/a:b/volumes/data' }];
    const colonPlan = await planWorkload({ ...colon, volumes });
    expect(() => podmanWorkload(colonPlan, 'abc', volumes, colon.workDir)).toThrow(
      /holds ":" or ",", which podman --volume cannot express/,
    );
  });

  it('reports compose values nobody sets, and play ConfigMap references', async () => {
    const missing = await planWorkload(
      input(
        await composeWorkload(
          `services:\n  web:\n    image: x@${DIGEST}\n    environment: ["A=\${NOPE}", "B=\${OK:-fine}"]\n`,
        ),
      ),
    );
    expect(missing.problems).toEqual([
      'docker-compose.yaml uses ${NOPE} without a default, but neither workload.env nor env.env sets NOPE',
    ]);
    const play = await planWorkload(
      input({
        type: 'workload',
        play: {
          resources: [
            { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { K: 'v' } },
            {
              apiVersion: 'v1',
              kind: 'Pod',
              metadata: { name: 'p' },
              spec: {
                containers: [
                  {
                    name: 'c',
                    image: `x@${DIGEST}`,
                    command: ['/bin/sh'],
                    args: ['-c', 'env'],
                    envFrom: [{ configMapRef: { name: 'cm' } }],
                    env: [
                      { name: 'A', value: 'a' },
                      { name: 'B', valueFrom: { configMapKeyRef: { name: 'cm', key: 'K' } } },
                      { name: 'C', valueFrom: { configMapKeyRef: { name: 'cm', key: 'nope' } } },
                    ],
                  },
                ],
              },
            },
          ],
        },
      }),
    );
    expect(play.containers[0]).toMatchObject({
      name: 'p-c',
      pod: 'p',
      environment: { K: 'v', A: 'a', B: 'v' },
      entrypoint: ['/bin/sh'],
      command: ['-c', 'env'],
    });
    expect(play.problems).toEqual([
      'workload.play.resources[1] container "p-c" env C refers to ConfigMap "cm" key "nope", which the workload does not define',
    ]);
  });

  it('writes registry credentials as an auth file, Docker Hub under docker.io, env.auths last', () => {
    const file = JSON.parse(
      podmanAuthFile(
        {
          'https://index.docker.io/v1/': { username: 'me', password: 's3cret' },
          'r.io': { username: 'a', password: 'b' },
        },
        { 'r.io': { username: 'a', password: 'c' } },
      ),
    ) as { auths: Record<string, { auth: string }> };
    expect(file.auths['docker.io']!.auth).toBe(Buffer.from('me:s3cret').toString('base64'));
    expect(file.auths['r.io']!.auth).toBe(Buffer.from('a:c').toString('base64'));
  });

  it.each([
    [
      'Error: runc: runc create failed: error setting rlimit type 7: operation not permitted: OCI permission denied',
      /does not permit setting container resource limits.*--podman-config sandbox/,
    ],
    [
      'Error: default OCI runtime "crun" not found: invalid argument',
      /OCI runtime crun is not installed/,
    ],
    [
      'Error: building local pause image: finding pause binary: exec: "catatonit": executable file not found',
      /catatonit is missing/,
    ],
    [
      'Error: ... reading manifest sha256:00 in r/x: manifest unknown: manifest unknown',
      /does not know this digest/,
    ],
    [
      'Error: ... reading manifest sha256:00 in r/x: unauthorized: authentication required',
      /refused the pull \(unauthorized\)/,
    ],
    [
      'Error: ... x509: certificate signed by unknown authority',
      /not trusted: give its CA in env.cacerts/,
    ],
    ['Trying...\nError: something new\n', /^something new$/],
  ])('explains %s in one line, naming the CLI flag only in the CLI', (stderr, explanation) => {
    const explained = explainPodmanFailure(stderr, 'system');
    const text = cliNotice(explained);
    expect(text).toMatch(explanation);
    expect(text).not.toContain('\n');
    expect(explained.message).not.toMatch(/--[a-z]/);
  });

  it('says plainly that podman is missing', async () => {
    const runtime = createPodmanRuntime({ command: 'podman-not-installed-here' });
    const run = input(await composeWorkload(`services:\n  web:\n    image: x@${DIGEST}\n`));
    mkdirSync(run.instanceDir, { recursive: true });
    const error = await runtime.run(run).catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      code: 'TOOL_MISSING',
      message: expect.stringMatching(
        /podman-not-installed-here is not installed \(.*use the plan runtime\)/,
      ),
    });
    expect(cliMessage(error as HpvsError)).toMatch(
      /podman-not-installed-here is not installed \(.*use --runtime plan\)/,
    );
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

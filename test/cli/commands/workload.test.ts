import { spawnSync } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { decryptSection } from '../../../src/core/crypto/encrypt-section.js';
import { archiveFolder } from '../../../src/node/archive-folder.js';
import { expectCliError } from '../../helpers/expect-error.js';
import { isOneLineError, runCli } from '../../helpers/run-cli.js';
import { useTempDir } from '../../helpers/temp-dir.js';
import { writeAuthoringFiles, type AuthoringFiles } from './contract-fixtures.js';
import { systemRandom } from '../../../src/node/random.js';
import { story } from '../../../scripts/lib/story.mjs';

const tempDir = useTempDir('hpvs-ctl-workload-');
let f: AuthoringFiles;
let counter = 0;
const out = () => join(f.dir, `out-${++counter}.yaml`);

beforeAll(async () => {
  f = await writeAuthoringFiles(tempDir());
  writeFileSync(
    join(f.dir, 'app.env'),
    '# app settings\nPORT=8080\nGREETING="hello world"\n\nexport DEBUG=true\n',
  );
  writeFileSync(join(f.dir, 'bad.env'), 'PORT=8080\n1BAD=x\n');
  writeFileSync(join(f.dir, 'no-equals.env'), 'PORT=8080\npasted-secret-token\n');
  writeFileSync(
    join(f.dir, 'pods.yaml'),
    'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: web\n      image: "{{ .Env.REGISTRY }}/web@sha256:' +
      'b'.repeat(64) +
      '"\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  A: b\n',
  );
  mkdirSync(join(f.dir, 'undigested'));
  writeFileSync(
    join(f.dir, 'undigested/docker-compose.yml'),
    'services:\n  web:\n    image: nginx:latest\n',
  );
  mkdirSync(join(f.dir, 'build'));
  writeFileSync(join(f.dir, 'build/docker-compose.yml'), 'services:\n  web:\n    build: .\n');
  writeFileSync(
    join(f.dir, 'auths.yaml'),
    'us.icr.io:\n  username: iamapikey\n  password: secret-api-key\n',
  );
  writeFileSync(join(f.dir, 'images-list.yaml'), '- dct\n- rhs\n');
});

describe('hpvs-ctl workload', () => {
  it('builds a compose workload with a volume and environment values, private and valid', async () => {
    const target = out();
    const result = await runCli(
      story.workload({
        compose: f.composeDir,
        volume: 'data',
        mount: '/mnt/data',
        filesystem: 'xfs',
        seedFile: f.workloadSeed,
        envValuesFile: join(f.dir, 'app.env'),
        env: 'PORT=9090',
        auths: join(f.dir, 'auths.yaml'),
        out: target,
      }),
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(statSync(target).mode & 0o777).toBe(0o600);
    const text = readFileSync(target, 'utf8');
    expect(text.startsWith('type: workload\n')).toBe(true);
    expect(parse(text)).toEqual({
      type: 'workload',
      auths: { 'us.icr.io': { username: 'iamapikey', password: 'secret-api-key' } },
      compose: { archive: (await archiveFolder(f.composeDir)).base64 },
      volumes: {
        data: { seed: 'workload-seed-0123456789', mount: '/mnt/data', filesystem: 'xfs' },
      },
      env: { PORT: '9090', GREETING: 'hello world', DEBUG: 'true' },
    });
    expect((await runCli(['validate', target, '--section', 'workload'])).code).toBe(0);
  });

  it('warns once, naming the file in the folder, about an image without a digest', async () => {
    const result = await runCli(['workload', '--compose', join(f.dir, 'undigested')]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      `hpvs-ctl: warning: ${join(f.dir, 'undigested')}/docker-compose.yml:3:12 service "web" image "nginx:latest" has no @sha256: digest; the runtime runs it only if its signature is configured under workload.images, so pin it as name@sha256:<digest>\n`,
    );
  });

  it('refuses a compose file with build:', async () => {
    await expectCliError(
      ['workload', '--compose', join(f.dir, 'build')],
      /workload\.compose\.archive: archive\/docker-compose\.yml:3:12 service "web" has a build: section/,
    );
  });

  it('builds play resources from a multi-document file, to stdout', async () => {
    const result = await runCli(['workload', '--play-resources', join(f.dir, 'pods.yaml')]);
    expect(result.code).toBe(0);
    const section = parse(result.stdout);
    expect(section.play.resources.map((item: { kind: string }) => item.kind)).toEqual([
      'Pod',
      'ConfigMap',
    ]);
    expect(section.play.resources[0].spec.containers[0].image).toMatch(
      /^\{\{ \.Env\.REGISTRY \}\}\/web@sha256:/,
    );
  });

  it('archives a pod folder for --play', async () => {
    mkdirSync(join(f.dir, 'pods'));
    writeFileSync(
      join(f.dir, 'pods/pod.yaml'),
      'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n',
    );
    const result = await runCli(['workload', '--play', join(f.dir, 'pods')]);
    expect(result.code).toBe(0);
    expect(parse(result.stdout)).toEqual({
      type: 'workload',
      play: { archive: (await archiveFolder(join(f.dir, 'pods'), { kind: 'play' })).base64 },
    });
  });

  it('prints the encrypted token with --cert, which opens to the section text', async () => {
    const result = await runCli(
      story.workload({ compose: f.composeDir, encrypt: true, cert: f.hpcrCert }),
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^hyper-protect-basic\.\S+\n$/);
    const plain = await runCli(['workload', '--compose', f.composeDir]);
    const key = createPrivateKey(readFileSync(f.hpcrKey));
    expect(decryptSection(result.stdout.trim(), key, systemRandom).toString()).toBe(plain.stdout);
  });

  it('refuses bad flags with usage errors (exit 2)', async () => {
    for (const args of [
      [],
      ['--compose', 'x', '--play', 'y'],
      ['--compose', 'x', '--volume', 'data'],
      ['--compose', 'x', '--mount', '/mnt/data'],
      ['--compose', 'x', '--encrypt'],
      ['--compose', 'x', '--env', 'NOEQUALS'],
      ['--compose', 'x', '--env', '1BAD=x'],
      ['--compose', 'x', '--filesystem', 'ntfs', '--volume', 'v', '--seed-file', 's'],
      ['--compose', 'x', '--seed', 'inline-secret'],
    ]) {
      const result = await runCli(['workload', ...args]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stdout).toBe('');
    }
  });

  it('reads a hostile --env-values-file as data: its NODE_OPTIONS line runs nothing', async () => {
    // percent-encoded, since NODE_OPTIONS parsing would eat plain quotes
    const payload =
      'data:text/javascript,import%7BwriteFileSync%7Dfrom%22node:fs%22;writeFileSync(process.env.HPVS_MARKER,%22%22)';
    const hostile = join(f.dir, 'hostile.env');
    writeFileSync(hostile, `NODE_OPTIONS=--import=${payload}\nPORT=1\n`);
    const control = join(f.dir, 'marker-control');
    // control: the payload is live when Node.js itself reads the file as --env-file
    spawnSync(process.execPath, ['--env-file', hostile, '-e', ''], {
      env: { ...process.env, HPVS_MARKER: control },
    });
    expect(existsSync(control)).toBe(true);
    const marker = join(f.dir, 'marker');
    const target = out();
    const result = await runCli(
      ['workload', '--compose', f.composeDir, '--env-values-file', hostile, '--out', target],
      { env: { HPVS_MARKER: marker } },
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(existsSync(marker)).toBe(false);
    expect((parse(readFileSync(target, 'utf8')) as { env: unknown }).env).toEqual({
      NODE_OPTIONS: `--import=${payload}`,
      PORT: '1',
    });
  });

  it('refuses bad input with a one-line error and leaves no output file', async () => {
    const cases: [string[], RegExp][] = [
      [['--compose', join(f.dir, 'missing')], /missing/],
      [
        ['--compose', f.composeDir, '--volume', 'data', '--seed-file', f.shortSeed],
        /^hpvs-ctl: error: workload\.volumes\.data\.seed: must be at least 15 characters/,
      ],
      [
        ['--compose', f.composeDir, '--volume', 'Data', '--seed-file', f.workloadSeed],
        /workload\.volumes\.Data: "Data" is not a valid volume name/,
      ],
      [
        ['--compose', f.composeDir, '--env-values-file', join(f.dir, 'bad.env')],
        /bad\.env:2: "1BAD" is not a valid variable name/,
      ],
      [
        // bad content of the values file is bad input (exit 1), and a line is not echoed
        ['--compose', f.composeDir, '--env-values-file', join(f.dir, 'no-equals.env')],
        /no-equals\.env:2: expected KEY=VALUE, found no "="\n$/,
      ],
      [
        ['--compose', f.composeDir, '--cert', f.expiredCert],
        /expired\.crt: certificate expired on/,
      ],
      [
        ['--play-resources', join(f.dir, 'auths.yaml')],
        /workload\.play\.resources\[0\]: missing required key "apiVersion"/,
      ],
      [
        ['--compose', f.composeDir, '--auths', join(f.dir, 'missing.yaml')],
        /missing\.yaml: auths file not found/,
      ],
      [
        // the images file is checked for its shape before it reaches the builder
        ['--compose', f.composeDir, '--images', join(f.dir, 'images-list.yaml')],
        /images-list\.yaml: expected a YAML mapping with dct \(image -> \{notary, publicKey\}\) and\/or rhs/,
      ],
    ];
    for (const [args, message] of cases) {
      const target = out();
      const result = await expectCliError(['workload', ...args, '--out', target], message);
      expect(isOneLineError(result.stderr)).toBe(true);
      expect(existsSync(target), args.join(' ')).toBe(false);
    }
    // a bad --env flag is a usage error, named by its flag
    const target = out();
    const flag = await runCli([
      'workload',
      '--compose',
      f.composeDir,
      '--env',
      '1BAD=x',
      '--out',
      target,
    ]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toBe(
      'hpvs-ctl: error: --env 1BAD: "1BAD" is not a valid variable name (letters, digits and _, not starting with a digit)\n(run with --help for usage)\n',
    );
    expect(existsSync(target)).toBe(false);
  });
});

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../helpers/run-cli.js';
import { useTempDir } from '../helpers/temp-dir.js';
import { hasTool } from '../helpers/tools.js';

/**
 * hpvs-ctl as a user gets it: `npm pack` of the built project, installed from the tarball into
 * a fresh project, then its bin run through npx and its API imported by TypeScript (checked by
 * the project's own compiler, strict, NodeNext, declarations included) and by the README's
 * example, taken from the README itself so the two cannot drift. `npm test` builds first.
 */

const tempDir = useTempDir('hpvs-pack-');
// child processes: npm, npx, openssl RSA-4096, tsc; slow on a loaded machine, never timed
const SLOW = 240_000;
const TSC = join(PROJECT_ROOT, 'node_modules/typescript/bin/tsc');

/** The environment without the npm_* settings of an enclosing `npm test`, the cache kept. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.toLowerCase().startsWith('npm_') || key.toLowerCase() === 'npm_config_cache') {
      env[key] = value;
    }
  }
  return { ...env, npm_config_update_notifier: 'false', npm_config_fund: 'false' };
}

function run(command: string, args: string[], cwd: string, input?: string) {
  const result = spawnSync(command, args, {
    cwd,
    env: cleanEnv(),
    encoding: 'utf8',
    timeout: SLOW,
    maxBuffer: 64 * 1024 * 1024,
    ...(input === undefined ? {} : { input }),
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function succeed(command: string, args: string[], cwd: string, input?: string): string {
  const result = run(command, args, cwd, input);
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} exited ${result.status}:\n${result.stderr}${result.stdout}`,
    );
  }
  return result.stdout;
}

/** The first ```ts block of the README's "Use from code" section. */
function readmeExample(): string {
  const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');
  const section = readme.split(/^## /m).find((part) => part.startsWith('Use from code\n'));
  const code = section && /^```ts\n([\s\S]*?)^```$/m.exec(section)?.[1];
  if (!code) throw new Error('README.md: no ```ts example under "## Use from code"');
  return code;
}

/** A consumer of the types: the stable error codes and option types a program names. */
const CONSUMER = `import {
  deriveLuksPassphrase,
  HpvsError,
  listCertificates,
  validateSection,
  type HpvsErrorCode,
  type KeyInput,
  type RandomSource,
  type ValidationReport,
} from 'hpvs-ctl';

const retry: HpvsErrorCode[] = ['DOWNLOAD_FAILED'];
const zeros: RandomSource = (length) => new Uint8Array(length);
const key: KeyInput = '-----BEGIN PUBLIC KEY-----';
const report: ValidationReport = await validateSection('env', 'type: env\\n', { source: 'env.yaml' });
const first = report.problems[0];
console.log(JSON.stringify({
  luks: deriveLuksPassphrase('env-seed', 'workload-seed'),
  problem: first === undefined ? null : \`\${first.source}:\${first.line} \${first.path}\`,
  platforms: [...new Set(listCertificates().map(({ entry }) => entry.platform))],
  isError: new HpvsError('USAGE', 'x') instanceof Error,
  typed: retry.length + zeros(2).length + key.length > 0,
}));
`;

let app: string;
let packed: { files: { path: string }[] };

beforeAll(() => {
  const packDir = join(tempDir(), 'pack');
  app = join(tempDir(), 'app');
  mkdirSync(packDir);
  mkdirSync(app);
  // the build is `npm test`'s (or CI's); prepack would rebuild under the running tests
  const json = succeed(
    'npm',
    ['pack', '--json', '--ignore-scripts', '--pack-destination', packDir],
    PROJECT_ROOT,
  );
  const [result] = JSON.parse(json) as [{ filename: string; files: { path: string }[] }];
  packed = result;
  const tarball = join(packDir, result.filename);
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
  );
  succeed('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], app);
}, SLOW);

describe('the package as npm installs it', () => {
  it('holds only what runs: the bin, the bundles and declarations, the templates', () => {
    const paths = packed.files.map((file) => file.path);
    const outside = paths.filter(
      (path) =>
        !/^(bin|dist|templates)\//.test(path) &&
        !['package.json', 'README.md', 'LICENSE'].includes(path),
    );
    expect(outside).toEqual([]);
    expect(paths).toEqual(
      expect.arrayContaining([
        'bin/hpvs-ctl.js',
        'bin/load-cli.js',
        'bin/package.json',
        'dist/cli.cjs',
        'dist/cli.cjs.cache',
        'dist/index.js',
        'dist/types/index.d.ts',
        'templates/compose/docker-compose.yaml',
      ]),
    );
    // the build's metafiles and source maps are for tests and debugging, not for users
    expect(paths.filter((path) => /\.map$|meta\.json$/.test(path))).toEqual([]);
  });

  it(
    'runs the installed bin: npx hpvs-ctl --help',
    () => {
      const help = succeed('npx', ['hpvs-ctl', '--help'], app);
      expect(help).toMatch(/^Usage: hpvs-ctl /);
      expect(help).toMatch(/encrypt/);
    },
    SLOW,
  );

  it('starts the installed CLI from the code cache the build made', () => {
    const loader = join(app, 'node_modules/hpvs-ctl/bin/load-cli.js');
    expect(
      succeed(
        process.execPath,
        ['-e', `console.log(require(${JSON.stringify(loader)}).loadCli().codeCache)`],
        app,
      ),
    ).toBe('used\n');
  });

  it.skipIf(!hasTool('openssl'))(
    "starts a provider project with the installed bin (templates included), its workload encrypted for an openssl RSA-4096 certificate that openssl's recipe opens",
    () => {
      succeed(
        'openssl',
        ['req', '-x509', '-newkey', 'rsa:4096', '-nodes', '-days', '365'].concat([
          '-subj',
          '/CN=runtime',
          '-keyout',
          'runtime.key',
          '-out',
          'runtime.crt',
        ]),
        app,
      );
      succeed(
        'npx',
        ['hpvs-ctl', 'init', '--persona', 'provider', '--out-dir', 'provider']
          .concat(['--compose', 'provider/compose', '--volume', 'none', '--platform', 'hpvs'])
          .concat(['--cert', 'runtime.crt']),
        app,
      );
      const token = readFileSync(join(app, 'provider/workload.enc'), 'utf8').trim();
      const [prefix, password, data] = token.split('.');
      expect(prefix).toBe('hyper-protect-basic');
      writeFileSync(join(app, 'password.bin'), Buffer.from(password!, 'base64'));
      writeFileSync(join(app, 'data.bin'), Buffer.from(data!, 'base64'));
      const unwrapped = spawnSync(
        'openssl',
        ['pkeyutl', '-decrypt', '-inkey', 'runtime.key', '-in', 'password.bin'],
        { cwd: app },
      );
      expect(unwrapped.status).toBe(0);
      const opened = spawnSync(
        'openssl',
        ['enc', '-d', '-aes-256-cbc', '-pbkdf2', '-pass', 'stdin', '-in', 'data.bin'],
        { cwd: app, input: unwrapped.stdout },
      );
      expect(opened.stderr.toString()).toBe('');
      expect(opened.stdout.toString('utf8')).toBe(
        readFileSync(join(app, 'provider/workload.yaml'), 'utf8'),
      );
      // and the installed bin opens it with the same key
      const decrypted = succeed(
        'npx',
        ['hpvs-ctl', 'decrypt', 'provider/workload.enc', '--key', 'runtime.key'],
        app,
      );
      expect(decrypted).toBe(readFileSync(join(app, 'provider/workload.yaml'), 'utf8'));
    },
    SLOW,
  );

  it(
    "type-checks the README's example and a consumer against the declarations, then runs them",
    () => {
      writeFileSync(join(app, 'readme-example.ts'), readmeExample());
      writeFileSync(join(app, 'consumer.ts'), CONSUMER);
      writeFileSync(
        join(app, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            target: 'ES2022',
            module: 'NodeNext',
            moduleResolution: 'NodeNext',
            strict: true,
            exactOptionalPropertyTypes: true,
            noUncheckedIndexedAccess: true,
            // the package's declarations are checked too, not taken on trust
            skipLibCheck: false,
            types: ['node'],
            typeRoots: [join(PROJECT_ROOT, 'node_modules/@types')],
            outDir: 'out',
          },
          files: ['readme-example.ts', 'consumer.ts'],
        }),
      );
      succeed(process.execPath, [TSC, '-p', 'tsconfig.json'], app);

      const example = succeed(process.execPath, ['out/readme-example.js'], app);
      expect(example).toBe(
        'valid: true, signature: true\ntype: env\nanother key: DECRYPTION_FAILED\n',
      );
      const consumer = JSON.parse(succeed(process.execPath, ['out/consumer.js'], app)) as unknown;
      expect(consumer).toEqual({
        luks: createHash('sha256').update('env-seedworkload-seed').digest('hex'),
        problem: 'env.yaml:1 env',
        platforms: ['hpvs', 'ccrt', 'ccrv', 'ccco'],
        isError: true,
        typed: true,
      });
    },
    SLOW,
  );
});

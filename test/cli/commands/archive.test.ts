import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, isOneLineError, runCli } from '../../helpers/run-cli.js';
import { useTempDir } from '../../helpers/temp-dir.js';
import { hasTool, runTool } from '../../helpers/tools.js';

const tempDir = useTempDir('hpvs-ctl-archive-cli-');
let compose: string;

function path(name: string): string {
  return join(tempDir(), name);
}

describe('hpvs-ctl archive', () => {
  beforeAll(() => {
    compose = path('compose');
    mkdirSync(join(compose, 'config'), { recursive: true });
    writeFileSync(
      join(compose, 'docker-compose.yml'),
      `services:\n  app:\n    image: example/app@sha256:${'c'.repeat(64)}\n`,
    );
    writeFileSync(join(compose, 'config', 'app.env'), 'A=1\n');
  });

  it('prints the base64 of the tgz on one line, the same every time', async () => {
    const first = await runCli(['archive', compose]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^[A-Za-z0-9+/]+=*\n$/);
    const second = await runCli(['archive', compose]);
    expect(second.stdout).toBe(first.stdout);
  });

  it.skipIf(!hasTool('tar'))('gives an archive tar can list', async () => {
    const result = await runCli(['archive', compose]);
    const listing = runTool('tar', ['-tz'], Buffer.from(result.stdout, 'base64'));
    expect(listing.stdout.toString().split('\n').filter(Boolean)).toEqual([
      'config/',
      'config/app.env',
      'docker-compose.yml',
    ]);
  });

  it('writes --out atomically and nothing to stdout', async () => {
    const dir = path('out');
    mkdirSync(dir);
    const out = join(dir, 'compose.b64');
    const result = await runCli(['archive', compose, '--out', out]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(readdirSync(dir)).toEqual(['compose.b64']);
    expect((await runCli(['archive', compose])).stdout).toBe(readFileSync(out, 'utf8'));
  });

  it('prints warnings on stderr and still succeeds', async () => {
    const dir = path('unpinned');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'docker-compose.yaml'),
      'services:\n  web:\n    build: .\n    image: web:latest\n',
    );
    const result = await runCli(['archive', dir]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^[A-Za-z0-9+/]+=*\n$/);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^hpvs-ctl: warning: .*docker-compose\.yaml:3:\d+ service "web" has a build: section/,
    );
    expect(lines[1]).toMatch(/^hpvs-ctl: warning: .*image "web:latest" has no @sha256: digest/);
  });

  it('does not expect a compose file with --play', async () => {
    const dir = path('pods');
    mkdirSync(dir);
    writeFileSync(join(dir, 'pod.yaml'), 'apiVersion: v1\nkind: Pod\n');
    expect((await runCli(['archive', dir])).stderr).toContain(
      'no docker-compose.yaml or docker-compose.yml',
    );
    expect((await runCli(['archive', dir, '--play'])).stderr).toBe('');
  });

  it('refuses a symbolic link with exit 1, naming it, and writes no --out file', async () => {
    const dir = path('linked');
    mkdirSync(dir);
    writeFileSync(join(dir, 'docker-compose.yml'), 'services: {}\n');
    symlinkSync('/etc/passwd', join(dir, 'passwd'));
    const out = path('linked.b64');
    const result = await runCli(['archive', dir, '--out', out]);
    expect(result.code).toBe(1);
    expect(isOneLineError(result.stderr)).toBe(true);
    expect(result.stderr).toContain(`hpvs-ctl: error: ${join(dir, 'passwd')} is a symbolic link`);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses a file name that is not UTF-8, showing its bytes as \\xNN', async () => {
    const dir = path('latin1-name');
    mkdirSync(dir);
    writeFileSync(join(dir, 'docker-compose.yml'), 'services: {}\n');
    writeFileSync(Buffer.from(`${dir}/caf\xe9\x1b.txt`, 'latin1'), 'x');
    const result = await runCli(['archive', dir]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `hpvs-ctl: error: ${dir}/caf\\xe9\\x1b.txt: the file name is not valid UTF-8 (an archive member name must be): rename it\n`,
    );
  });

  it('refuses a command-line argument that is not UTF-8 as a usage error, showing its bytes', async () => {
    // a shell passes the raw bytes; Node.js alone cannot (its arguments are strings)
    const shell = runTool('sh', [
      '-c',
      `exec "$0" "$1" archive "$(printf 'caf\\351')"`,
      process.execPath,
      CLI,
    ]);
    expect(shell.status).toBe(2);
    expect(shell.stderr).toMatch(/^hpvs-ctl: error: argument "caf\\xe9" is not valid UTF-8; /);
  });

  it('reports a missing folder (exit 1) and a missing argument (exit 2)', async () => {
    const missing = await runCli(['archive', path('nope')]);
    expect(missing.code).toBe(1);
    expect(isOneLineError(missing.stderr)).toBe(true);
    expect(missing.stderr).toContain('nope: folder not found; check the path');
    const usage = await runCli(['archive']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("missing required argument 'dir'");
  });
});

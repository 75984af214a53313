import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  INSTANCE_MARKER,
  openInstanceFolder,
  recordInstanceFolder,
} from '../../src/emulator/instance-folder.js';
import { useTempDir } from '../helpers/temp-dir.js';

const tempDir = useTempDir('hpvs-instance-folder-');
let count = 0;
function fresh(): string {
  return join(tempDir(), `case-${++count}`);
}

/** What a container runtime leaves behind: a compose folder with files and a subfolder. */
function runtimeWrites(dir: string): void {
  mkdirSync(join(dir, 'workload', 'compose', 'app'), { recursive: true });
  writeFileSync(join(dir, 'workload', 'compose', 'docker-compose.yaml'), 'services: {}\n');
  writeFileSync(join(dir, 'workload', 'compose', 'app', 'main.py'), 'print(1)\n');
}

describe('openInstanceFolder', () => {
  it('creates a missing folder (and its parents) and marks it', async () => {
    const dir = join(fresh(), 'a', 'b');
    expect(await openInstanceFolder(dir)).toBe('created');
    expect(readdirSync(dir)).toEqual([INSTANCE_MARKER]);
  });

  it('takes an empty folder and marks it', async () => {
    const dir = fresh();
    mkdirSync(dir);
    expect(await openInstanceFolder(dir)).toBe('taken');
    expect(readdirSync(dir)).toEqual([INSTANCE_MARKER]);
  });

  it('refuses a folder holding files it did not create, and changes nothing', async () => {
    const dir = fresh();
    mkdirSync(join(dir, 'workload'), { recursive: true });
    writeFileSync(join(dir, 'workload', 'mine.txt'), 'keep me');
    await expect(openInstanceFolder(dir)).rejects.toMatchObject({
      code: 'OUTPUT_FAILED',
      message: `${dir}: holds files the emulator did not create (workload); give a new or empty folder for the emulator instance`,
    });
    expect(readFileSync(join(dir, 'workload', 'mine.txt'), 'utf8')).toBe('keep me');
    expect(readdirSync(dir)).toEqual(['workload']);
  });

  it('refuses a file, and a path through a file, with a one-line cause', async () => {
    const file = join(fresh());
    writeFileSync(file, 'not a folder');
    await expect(openInstanceFolder(file)).rejects.toMatchObject({
      code: 'OUTPUT_FAILED',
      message: `${file}: is a file, not a folder; give a folder for the emulator instance`,
    });
    await expect(openInstanceFolder(join(file, 'sub'))).rejects.toMatchObject({
      message: expect.stringMatching(/sub: a part of the path is a file, not a folder/),
    });
    expect(readFileSync(file, 'utf8')).toBe('not a folder');
  });

  it('reuses a marked folder, removing exactly what the previous boot recorded', async () => {
    const dir = fresh();
    await openInstanceFolder(dir);
    runtimeWrites(dir);
    mkdirSync(join(dir, 'var', 'log'), { recursive: true });
    writeFileSync(join(dir, 'var', 'log', 'hpcr-console.log'), 'log\n');
    writeFileSync(join(dir, 'notes.txt'), 'the user may keep notes beside the instance');
    await recordInstanceFolder(dir);
    expect(await openInstanceFolder(dir)).toBe('reused');
    expect(existsSync(join(dir, 'workload'))).toBe(false);
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toMatch(/notes/);
    expect(existsSync(join(dir, 'var', 'log', 'hpcr-console.log'))).toBe(true);
  });

  it('refuses, before removing anything, when a file was added to the recorded workload', async () => {
    const dir = fresh();
    await openInstanceFolder(dir);
    runtimeWrites(dir);
    await recordInstanceFolder(dir);
    writeFileSync(join(dir, 'workload', 'compose', 'app', 'secret-notes.txt'), 'mine');
    await expect(openInstanceFolder(dir)).rejects.toMatchObject({
      code: 'OUTPUT_FAILED',
      message: expect.stringMatching(
        /workload: holds files the emulator did not create \(compose\/app\/secret-notes\.txt\); move them away/,
      ),
    });
    expect(readFileSync(join(dir, 'workload', 'compose', 'app', 'secret-notes.txt'), 'utf8')).toBe(
      'mine',
    );
    expect(existsSync(join(dir, 'workload', 'compose', 'docker-compose.yaml'))).toBe(true);
  });

  it('refuses a workload folder the marker does not list (made by hand after a boot)', async () => {
    const dir = fresh();
    await openInstanceFolder(dir);
    await recordInstanceFolder(dir);
    mkdirSync(join(dir, 'workload'));
    writeFileSync(join(dir, 'workload', 'mine.txt'), 'keep me');
    await expect(openInstanceFolder(dir)).rejects.toMatchObject({
      message: expect.stringMatching(/workload: the emulator did not create it/),
    });
    expect(readFileSync(join(dir, 'workload', 'mine.txt'), 'utf8')).toBe('keep me');
  });

  it('never follows a link planted in place of a recorded folder', async () => {
    const dir = fresh();
    await openInstanceFolder(dir);
    runtimeWrites(dir);
    await recordInstanceFolder(dir);
    const elsewhere = join(fresh());
    mkdirSync(join(elsewhere, 'app'), { recursive: true });
    writeFileSync(join(elsewhere, 'docker-compose.yaml'), 'precious');
    writeFileSync(join(elsewhere, 'app', 'main.py'), 'precious');
    const compose = join(dir, 'workload', 'compose');
    // swap the recorded folder for a link to a folder with the same names
    rmSync(compose, { recursive: true });
    symlinkSync(elsewhere, compose);
    await expect(openInstanceFolder(dir)).rejects.toMatchObject({ code: 'OUTPUT_FAILED' });
    expect(readFileSync(join(elsewhere, 'docker-compose.yaml'), 'utf8')).toBe('precious');
    expect(readFileSync(join(elsewhere, 'app', 'main.py'), 'utf8')).toBe('precious');
  });

  it('refuses a marker that is not one, naming it', async () => {
    const dir = fresh();
    mkdirSync(dir);
    writeFileSync(join(dir, INSTANCE_MARKER), '{"format": 1, "workload": "everything"}');
    await expect(openInstanceFolder(dir)).rejects.toMatchObject({
      message: `${join(dir, INSTANCE_MARKER)}: not a valid instance marker; remove the instance folder or give another one`,
    });
  });
});

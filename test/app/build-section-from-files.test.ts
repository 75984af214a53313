import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildEnvSectionFromFiles } from '../../src/app/build-env-section.js';
import { buildWorkloadSectionFromFiles } from '../../src/app/build-workload-section.js';
import type { InputReaders } from '../../src/app/input-readers.js';
import { HpvsError } from '../../src/core/errors.js';

/** Readers over memory: what a library caller passes instead of files. */
function memoryReaders(files: Record<string, unknown>, read: string[] = []): InputReaders {
  const get = (path: string) => {
    read.push(path);
    if (!(path in files)) throw new HpvsError('FILE_NOT_FOUND', `${path}: not found`);
    return files[path];
  };
  return {
    pem: async (path) => Buffer.from(get(path) as string),
    secret: async (path) => Buffer.from(get(path) as string),
    yaml: async (path) => get(path),
    yamlDocuments: async (path) => get(path) as unknown[],
    archive: async (dir) => ({ base64: get(dir) as string, warnings: [`${dir}: noticed`] }),
  };
}

describe('section use cases over injected readers', () => {
  it('builds an env section from a log router key, a volume with key endpoints and auths', async () => {
    const read: string[] = [];
    const text = await buildEnvSectionFromFiles(
      {
        logging: { logRouter: { hostname: 'ingest.example.com', apiKeyFile: 'key.txt' } },
        volume: { name: 'data', seedFile: 'env.seed', kmsFile: 'kms.yaml' },
        env: { GREETING: 'hi' },
        authsFile: 'auths.yaml',
        now: new Date('2026-01-01T00:00:00Z'),
      },
      memoryReaders(
        {
          'key.txt': 'iam-api-key-0123456789',
          'env.seed': 'env-seed-0123456789',
          'kms.yaml': [{ apiKey: 'kms-api-key-0123', crn: 'crn:v1:x', type: 'private' }],
          'auths.yaml': { 'us.icr.io': { username: 'iamapikey', password: 'secret' } },
        },
        read,
      ),
    );
    expect(read).toEqual(['key.txt', 'kms.yaml', 'env.seed', 'auths.yaml']);
    expect(parse(text)).toEqual({
      type: 'env',
      logging: {
        logRouter: { hostname: 'ingest.example.com', iamApiKey: 'iam-api-key-0123456789' },
      },
      auths: { 'us.icr.io': { username: 'iamapikey', password: 'secret' } },
      volumes: {
        data: {
          seed: 'env-seed-0123456789',
          kms: [{ apiKey: 'kms-api-key-0123', crn: 'crn:v1:x', type: 'private' }],
        },
      },
      env: { GREETING: 'hi' },
    });
  });

  it('refuses key endpoints of the wrong shape, naming the file', async () => {
    const build = buildEnvSectionFromFiles(
      {
        logging: { logRouter: { hostname: 'ingest.example.com', apiKeyFile: 'key.txt' } },
        volume: { name: 'data', seedFile: 'env.seed', kmsFile: 'kms.yaml' },
        now: new Date(),
      },
      memoryReaders({ 'key.txt': 'k', 'env.seed': 's', 'kms.yaml': { apiKey: 'k' } }),
    );
    await expect(build).rejects.toThrow('kms.yaml: expected a YAML list of {apiKey, crn, type}');
  });

  it('builds a workload from a compose archive and returns what archiving noticed', async () => {
    const built = await buildWorkloadSectionFromFiles(
      {
        workload: { compose: 'app' },
        imagesFile: 'images.yaml',
        volume: { name: 'data', seedFile: 'w.seed', mount: '/mnt/data' },
      },
      memoryReaders({
        app: 'H4sIAAAAAAAA',
        'images.yaml': { rhs: { 'us.icr.io/a/b': { publicKey: 'KEY' } } },
        'w.seed': 'workload-seed-0123456789',
      }),
    );
    expect(built.warnings).toEqual(['app: noticed']);
    expect(built.coveredPaths).toEqual(['workload.compose.archive']);
    expect(parse(built.text)).toEqual({
      type: 'workload',
      compose: { archive: 'H4sIAAAAAAAA' },
      images: { rhs: { 'us.icr.io/a/b': { publicKey: 'KEY' } } },
      volumes: { data: { seed: 'workload-seed-0123456789', mount: '/mnt/data' } },
    });
  });
});

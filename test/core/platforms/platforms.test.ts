import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { IBM_CERTIFICATES } from '../../../src/core/catalogue/ibm-certificates.js';
import {
  describePlatforms,
  findPlatform,
  PLATFORM_NAMES,
  PLATFORMS,
  platformsOfSubject,
} from '../../../src/core/platforms/platforms.js';
import { PROJECT_ROOT } from '../../helpers/run-cli.js';

describe('the platform table', () => {
  it('gives each platform the prefix, schema and workload kinds of SPEC-IBM A1.2', () => {
    const facts = PLATFORM_NAMES.map((name) => [
      name,
      PLATFORMS[name].tokenPrefix,
      PLATFORMS[name].schema.published,
      PLATFORMS[name].workloadKinds.slice().sort().join(','),
      PLATFORMS[name].loggingRequired,
    ]);
    expect(facts).toEqual([
      [
        'hpvs',
        'hyper-protect-basic',
        'hpse-contract-schema-1.0.116.json',
        'compose,confidential-containers,play',
        true,
      ],
      [
        'ccrt',
        'contract-basic',
        'hpse-contract-schema-1.0.116.json',
        'compose,confidential-containers,play',
        true,
      ],
      [
        'ccrv',
        'contract-basic',
        'hpse-contract-schema-1.0.116-rhel.json',
        'confidential-containers,play',
        true,
      ],
      [
        'ccco',
        'hyper-protect-basic',
        'hpse-contract-schema-coco-1.0.93-rhel.json',
        'compose,confidential-containers,play',
        false,
      ],
    ]);
  });

  it('accepts canonical names in any case and the aliases of A1.1, and nothing else', () => {
    expect(findPlatform('ccrt')).toEqual({ platform: PLATFORMS.ccrt });
    expect(findPlatform('CCRT')).toEqual({ platform: PLATFORMS.ccrt, alias: 'CCRT' });
    expect(findPlatform('hpcr-rhvs')?.platform.name).toBe('ccrv');
    expect(findPlatform('hpcc-peerpod')).toMatchObject({ templateVariant: 'peerpod' });
    expect(findPlatform('ccco-bmtl')).toMatchObject({
      platform: PLATFORMS.ccco,
      templateVariant: 'bmtl',
    });
    for (const unknown of ['', 'ubuntu', 'hpcr', 'toString', '__proto__', 'ccrt ', 'hpvs2']) {
      expect(findPlatform(unknown), unknown).toBeUndefined();
    }
    expect(describePlatforms()).toMatch(/^hpvs \(.*\), ccrt \(.*\), ccrv \(.*\), ccco \(.*\)$/);
  });

  it("knows the subject of every catalogue certificate as its platform's", () => {
    for (const entry of IBM_CERTIFICATES) {
      expect(platformsOfSubject(entry.subject), `${entry.platform} ${entry.version}`).toContain(
        entry.platform,
      );
    }
    expect(platformsOfSubject('Contract Encryption for Confidential Container Runtime')).toEqual([
      'ccrv',
    ]);
    expect(platformsOfSubject('Contract Encryption for Confidential Containers')).toEqual(['ccco']);
    // a certificate that is not IBM's says nothing about a platform
    expect(platformsOfSubject('HPVS')).toEqual([]);
  });

  it('names only template files that exist', () => {
    for (const name of PLATFORM_NAMES) {
      const { workload, env } = PLATFORMS[name].templates;
      for (const file of [...workload, ...env]) {
        expect(existsSync(join(PROJECT_ROOT, 'templates', file)), `${name}: ${file}`).toBe(true);
      }
      // a workload template of a kind the platform does not run would fail its own schema
      for (const file of workload) {
        const data = parse(readFileSync(join(PROJECT_ROOT, 'templates', file), 'utf8')) as object;
        const kinds = PLATFORMS[name].workloadKinds.filter((kind) => kind in data);
        expect(kinds, `${name}: ${file}`).toHaveLength(1);
      }
    }
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CATALOGUE_PATH,
  CERTS_DIR,
  catalogueModuleText,
  deriveCatalogue,
  versionOfFileName,
} from '../../../scripts/generate-certificate-catalogue.mjs';
import {
  chooseCatalogueCertificate,
  listCatalogue,
} from '../../../src/core/catalogue/certificate-catalogue.js';
import { IBM_CERTIFICATES } from '../../../src/core/catalogue/ibm-certificates.js';
import { thrownHpvsError } from '../../helpers/expect-error.js';
import { HAS_REFERENCE, REFERENCE_SKIP_REASON, referencePath } from '../../helpers/reference.js';
import { hasTool, runTool } from '../../helpers/tools.js';

const AT = new Date('2026-12-01T00:00:00Z');

describe('the bundled certificate catalogue', () => {
  it('is exactly what the generator derives from certs/ibm now', async () => {
    expect(readFileSync(CATALOGUE_PATH, 'utf8')).toBe(await catalogueModuleText());
    expect(IBM_CERTIFICATES).toEqual(deriveCatalogue());
    expect(IBM_CERTIFICATES).toHaveLength(12);
  });

  it('reads versions from file names by both of IBM patterns', () => {
    expect(versionOfFileName('ibm-hyper-protect-container-runtime-1-0-s390x-29-encrypt.crt')).toBe(
      '1.0.29',
    );
    expect(
      versionOfFileName('ibm-confidential-computing-container-runtime-rhvs-26.4.1-encrypt.crt'),
    ).toBe('26.4.1');
    expect(() => versionOfFileName('encrypt.crt')).toThrow(/no runtime version/);
  });

  it.skipIf(!hasTool('openssl'))(
    "has each certificate's serial, dates and SHA-256 as openssl reads them",
    () => {
      for (const entry of IBM_CERTIFICATES) {
        const file = join(CERTS_DIR, entry.platform, entry.file);
        const out = runTool('openssl', [
          'x509',
          '-in',
          file,
          '-noout',
          '-serial',
          '-startdate',
          '-enddate',
          '-fingerprint',
          '-sha256',
        ]).stdout.toString();
        const field = (name: string) => new RegExp(`^${name}=(.*)$`, 'm').exec(out)![1]!;
        expect(entry.serial).toBe(field('serial'));
        expect(entry.notBefore).toBe(new Date(field('notBefore')).toISOString());
        expect(entry.notAfter).toBe(new Date(field('notAfter')).toISOString());
        expect(entry.sha256).toBe(field('sha256 Fingerprint').replace(/:/g, '').toLowerCase());
      }
    },
  );

  it.skipIf(!HAS_REFERENCE)(
    `holds the reference certificates byte for byte (${REFERENCE_SKIP_REASON})`,
    () => {
      for (const platform of ['hpvs', 'ccrt', 'ccrv', 'ccco']) {
        const files = readdirSync(referencePath('ibm-encryption-certs', platform)).sort();
        expect(readdirSync(join(CERTS_DIR, platform)).sort()).toEqual(files);
        for (const file of files) {
          expect(readFileSync(join(CERTS_DIR, platform, file))).toEqual(
            readFileSync(referencePath('ibm-encryption-certs', platform, file)),
          );
        }
      }
    },
  );

  it("lists each platform's newest version first, with status at the given time", () => {
    const ccco = listCatalogue('ccco', AT);
    expect(ccco.map((item) => [item.entry.version, item.status])).toEqual([
      ['26.7.1', 'valid'],
      ['26.4.0', 'valid'],
      ['25.12.0', 'expired'],
    ]);
    expect(ccco[2]!.daysLeft).toBe(-111);
    expect(listCatalogue(undefined, AT).map((item) => item.entry.platform)).toEqual(
      ['hpvs', 'ccrt', 'ccrv', 'ccco'].flatMap((platform) => [platform, platform, platform]),
    );
  });

  it('chooses the newest valid certificate by default, per platform', () => {
    const chosen = (platform: 'hpvs' | 'ccrt' | 'ccrv' | 'ccco', now = AT) =>
      chooseCatalogueCertificate({ platform, now }).entry.version;
    expect([chosen('hpvs'), chosen('ccrt'), chosen('ccrv'), chosen('ccco')]).toEqual([
      '1.0.29',
      '26.7.2',
      '26.7.1',
      '26.7.1',
    ]);
    // before 26.7.1 existed, ccco's newest valid one was 26.4.0, not the expired 25.12.0
    expect(chosen('ccco', new Date('2026-07-01T00:00:00Z'))).toBe('26.4.0');
    expect(chosen('ccco', new Date('2026-05-01T00:00:00Z'))).toBe('26.4.0');
  });

  it('takes a version or a range, and refuses an expired certificate unless allowed', () => {
    expect(
      chooseCatalogueCertificate({ platform: 'hpvs', version: '1.0.28', now: AT }).entry.serial,
    ).toBe('E6EEAB7C1523E11A8B81C50D1BBB7969');
    expect(
      chooseCatalogueCertificate({ platform: 'ccrv', version: '<26.7', now: AT }).entry.version,
    ).toBe('26.5.0');
    const expired = thrownHpvsError(() =>
      chooseCatalogueCertificate({ platform: 'ccco', version: '25.12.0', now: AT }),
    );
    expect(expired.code).toBe('CERT_EXPIRED');
    expect(expired.message).toMatch(
      /ccco 25\.12\.0 encryption certificate expired on 2026-08-12T11:55:40\.000Z; .*allow an expired certificate/,
    );
    const allowed = chooseCatalogueCertificate({
      platform: 'ccco',
      version: '25.12.0',
      allowExpired: true,
      now: AT,
    });
    expect(allowed.status).toBe('expired');
    const missing = thrownHpvsError(() =>
      chooseCatalogueCertificate({ platform: 'hpvs', version: '1.0.30', now: AT }),
    );
    expect(missing.code).toBe('CERT_NOT_FOUND');
    expect(missing.message).toContain('(it has 1.0.29, 1.0.28, 1.0.27)');
    expect(
      thrownHpvsError(() =>
        chooseCatalogueCertificate({ platform: 'hpvs', version: 'latest\u001b[2J', now: AT }),
      ).message,
    ).not.toMatch(/\u001b/);
  });

  it('warns within 30 days of the end, and fails when no certificate is valid', () => {
    const soon = chooseCatalogueCertificate({
      platform: 'hpvs',
      now: new Date('2027-06-20T00:00:00Z'),
    });
    expect(soon.entry.version).toBe('1.0.29');
    expect(soon.warnings).toEqual([
      expect.stringMatching(
        /hpvs 1\.0\.29 encryption certificate expires in 16 days, on 2027-07-06/,
      ),
    ]);
    expect(chooseCatalogueCertificate({ platform: 'hpvs', now: AT }).warnings).toEqual([]);
    const none = thrownHpvsError(() =>
      chooseCatalogueCertificate({ platform: 'ccrt', now: new Date('2028-01-01T00:00:00Z') }),
    );
    expect(none.code).toBe('CERT_EXPIRED');
    expect(none.message).toMatch(
      /none of the catalogue's ccrt certificates \(26\.7\.2, 26\.5\.0, 26\.2\.0\)/,
    );
  });
});

import { readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { parse as parseToml } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { checkInitdataContract } from '../../../src/core/ccco/initdata-contract.js';
import { initdataToml } from '../../../src/core/ccco/initdata-toml.js';
import { buildInitdata, decodeInitdata } from '../../../src/core/ccco/initdata.js';
import { thrownHpvsError } from '../../helpers/expect-error.js';
import { HAS_REFERENCE, REFERENCE_SKIP_REASON, referencePath } from '../../helpers/reference.js';

const HEADER = Buffer.from('Test base64 heder of image getting used\n');

function tomlOf(value: string): Buffer {
  return gunzipSync(Buffer.from(value, 'base64'));
}

describe.skipIf(!HAS_REFERENCE)(`IBM's golden initdata (${REFERENCE_SKIP_REASON})`, () => {
  const read = (name: string): string =>
    readFileSync(referencePath('fixtures', 'ccco', name), 'utf8');

  it('gives the peer-pod TOML byte for byte', () => {
    const built = buildInitdata(read('signed-encrypt-ccco.yaml'));
    expect(Buffer.from(built.toml)).toEqual(tomlOf(read('gzipped-initdata')));
    expect(tomlOf(built.value)).toEqual(tomlOf(read('gzipped-initdata')));
    expect(built.contractSha256).toBe(
      '1b6ee574d6061896c23fad0711d1a89b8d9b7748506ab089201db1335605daea',
    );
  });

  it('gives the bare-metal TOML with the Secure Execution header byte for byte', () => {
    const built = buildInitdata(read('signed-encrypt-ccco.yaml'), HEADER);
    expect(tomlOf(built.value)).toEqual(tomlOf(read('baremetal-gzipped-initdata')));
  });

  it("decodes IBM's values back to the signed contract and the header", () => {
    const contract = read('signed-encrypt-ccco.yaml');
    const peer = decodeInitdata(read('gzipped-initdata'), 'peer');
    expect(peer.contract).toBe(contract);
    expect(peer.seHeader).toBeUndefined();
    const metal = decodeInitdata(read('baremetal-gzipped-initdata'), 'metal');
    expect(metal.contract).toBe(contract);
    expect(metal.seHeader).toEqual(HEADER);
  });
});

describe('initdata TOML', () => {
  it("keeps a contract containing ''' intact instead of ending the string early", () => {
    const contract = "workload: |\n  x: '''\n[data]\n\"contract.yaml\" = 'injected'\n";
    const toml = initdataToml(contract);
    const parsed = parseToml(toml) as { data: Record<string, unknown> };
    expect(parsed.data['contract.yaml']).toBe(contract);
    expect(Object.keys(parsed.data)).toEqual(['contract.yaml']);
  });

  it('reads back as the exact contract for any text (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (contract) => {
        const parsed = parseToml(initdataToml(contract)) as { data: Record<string, unknown> };
        expect(parsed.data['contract.yaml']).toBe(contract);
      }),
      { numRuns: 500 },
    );
  });

  it('falls back to an escaped string for a leading line break, control characters and a final quote', () => {
    for (const contract of ['\nenv: x\n', 'a\u0000b', "ends with '", 'cr\ronly', 'del\u007f']) {
      const toml = initdataToml(contract);
      expect(toml).not.toContain("'''");
      expect((parseToml(toml) as { data: Record<string, unknown> }).data['contract.yaml']).toBe(
        contract,
      );
    }
  });
});

describe('decodeInitdata refuses malformed values with one line', () => {
  const gz = (text: string): string => gzipSync(Buffer.from(text)).toString('base64');
  const cases: [string, string, RegExp][] = [
    ['not base64', 'H4sI not base64!', /not one line of base64/],
    ['not gzip', Buffer.from('plain text here').toString('base64'), /not gzip/],
    ['corrupted gzip', gz('x'.repeat(100)).slice(0, 24), /corrupted/],
    ['invalid TOML', gz("[data]\n\"contract.yaml\" = '''a'''b'''\n"), /not valid TOML/],
    ['no [data]', gz('algorithm = "sha384"\n'), /no \[data\] table/],
    ['no contract.yaml', gz('[data]\n"aa.toml" = "x"\n'), /no "contract.yaml" string/],
    ['a bad boot key', gz('[data]\n"contract.yaml" = "boot: 3\\n"\n'), /boot key/],
  ];
  it.each(cases)('%s', (_name, value, message) => {
    const error = thrownHpvsError(() => decodeInitdata(value, 'in.txt'));
    expect(error.code).toBe('INITDATA_INVALID');
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain('\n');
  });

  it('stops a gzip bomb at the size bound', () => {
    const bomb = gzipSync(Buffer.alloc(8 * 1024 * 1024, 0x61)).toString('base64');
    expect(thrownHpvsError(() => decodeInitdata(bomb, 'bomb')).message).toMatch(/more than/);
  });
});

describe('checkInitdataContract', () => {
  const token = 'hyper-protect-basic.AAAA.BBBB';
  const options = { allowPlaintext: false, withHeader: false };

  it('refuses plaintext workload or env unless allowed', () => {
    const plain = `workload: |\n  type: workload\nenv: ${token}\n`;
    const error = thrownHpvsError(() => checkInitdataContract(plain, 'c.yaml', options));
    expect(error.message).toMatch(
      /^c\.yaml:1:1: workload is not encrypted.*allow plaintext sections/,
    );
    expect(() =>
      checkInitdataContract(plain, 'c.yaml', { ...options, allowPlaintext: true }),
    ).not.toThrow();
  });

  it('refuses a contract without env', () => {
    expect(
      thrownHpvsError(() => checkInitdataContract(`workload: ${token}\n`, 'c.yaml', options))
        .message,
    ).toMatch(/no env section/);
  });

  it('refuses a boot key that the header would duplicate', () => {
    const contract = `workload: ${token}\nenv: ${token}\nboot: x\n`;
    expect(() => checkInitdataContract(contract, 'c.yaml', options)).not.toThrow();
    const error = thrownHpvsError(() =>
      checkInitdataContract(contract, 'c.yaml', { ...options, withHeader: true }),
    );
    expect(error.message).toMatch(/^c\.yaml:3:1: the contract already has a boot key/);
  });
});

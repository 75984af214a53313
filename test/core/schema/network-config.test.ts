import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { NETWORK_CONFIG_RULES } from '../../../src/core/schema/network-config-schema.js';
import { formatProblem } from '../../../src/core/schema/problems.js';
import {
  isNetworkConfig,
  validateNetworkConfigText,
} from '../../../src/core/schema/validate-network-config.js';
import { HAS_REFERENCE, REFERENCE_SKIP_REASON, referencePath } from '../../helpers/reference.js';

const head = 'network:\n  version: 2\n  ethernets:\n';
const iface = (body: string, name = 'enc1') =>
  `${head}    ${name}:\n${body
    .split('\n')
    .filter(Boolean)
    .map((line) => `      ${line}\n`)
    .join('')}`;
const STATIC = 'dhcp4: false\naddresses:\n  - 192.168.122.110/24\ngateway4: 192.168.122.1';

interface Case {
  name: string;
  text: string;
  /** What IBM's schema says (formats not asserted, as contract-go validates). */
  ibm: 'valid' | 'invalid';
  /** Where hpvs-ctl is deliberately stricter, the rule that says so. */
  rule?: keyof typeof NETWORK_CONFIG_RULES;
}

const CASES: Case[] = [
  { name: 'dhcp', text: iface('dhcp4: true'), ibm: 'valid' },
  { name: 'static', text: iface(STATIC), ibm: 'valid' },
  {
    name: 'static with routes and name servers',
    text: iface(
      `${STATIC}\nmtu: 9000\nroutes:\n  - to: 10.0.0.0/8\n    via: 192.168.122.254\nnameservers:\n  addresses: [8.8.8.8]\n  search: [example.com]`,
    ),
    ibm: 'valid',
  },
  {
    name: 'two interfaces',
    text: `${iface('dhcp4: true', 'enc0')}    enc10:\n      dhcp4: true\n`,
    ibm: 'valid',
  },
  {
    name: 'unknown interface keys (warned)',
    text: iface('dhcp4: true\ndhcp6: true'),
    ibm: 'valid',
  },
  {
    name: 'JSON',
    text: JSON.stringify({ network: { version: 2, ethernets: { enc1: { dhcp4: true } } } }),
    ibm: 'valid',
  },
  { name: 'interface named enc', text: iface('dhcp4: true', 'enc'), ibm: 'invalid' },
  { name: 'interface named eth0', text: iface('dhcp4: true', 'eth0'), ibm: 'invalid' },
  { name: 'no interfaces', text: 'network:\n  version: 2\n  ethernets: {}\n', ibm: 'invalid' },
  { name: 'no ethernets', text: 'network:\n  version: 2\n', ibm: 'invalid' },
  { name: 'no network', text: 'version: 2\n', ibm: 'invalid' },
  { name: 'dhcp4 missing', text: iface('addresses: [10.0.0.1/8]'), ibm: 'invalid' },
  {
    name: 'dhcp4 true with addresses',
    text: iface('dhcp4: true\naddresses: [10.0.0.1/8]'),
    ibm: 'invalid',
  },
  {
    name: 'dhcp4 true with gateway',
    text: iface('dhcp4: true\ngateway4: 10.0.0.1'),
    ibm: 'invalid',
  },
  { name: 'dhcp4 false without addresses', text: iface('dhcp4: false'), ibm: 'invalid' },
  {
    name: 'dhcp4 false, empty addresses',
    text: iface('dhcp4: false\naddresses: []'),
    ibm: 'invalid',
  },
  {
    name: 'address without prefix',
    text: iface('dhcp4: false\naddresses: [192.168.1.5]'),
    ibm: 'invalid',
  },
  { name: 'IPv6 address', text: iface('dhcp4: false\naddresses: ["fd00::1/64"]'), ibm: 'invalid' },
  { name: 'mtu as a string', text: iface('dhcp4: true\nmtu: "1500"'), ibm: 'invalid' },
  {
    name: 'dhcp4 as a string',
    text: iface('dhcp4: "false"\naddresses: [10.0.0.1/8]'),
    ibm: 'invalid',
  },
  {
    name: 'name servers without addresses',
    text: iface(`${STATIC}\nnameservers:\n  search: [a]`),
    ibm: 'invalid',
  },
  {
    name: 'gateway 999.1.1.1',
    text: iface('dhcp4: false\naddresses: [10.0.0.1/8]\ngateway4: 999.1.1.1'),
    ibm: 'valid',
    rule: 'network-ipv4-format',
  },
  {
    name: 'route via hello',
    text: iface(`${STATIC}\nroutes:\n  - to: 10.0.0.0/8\n    via: hello`),
    ibm: 'valid',
    rule: 'network-ipv4-format',
  },
  {
    name: 'name server x',
    text: iface(`${STATIC}\nnameservers:\n  addresses: [x]`),
    ibm: 'valid',
    rule: 'network-ipv4-format',
  },
  {
    name: 'route to hello',
    text: iface(`${STATIC}\nroutes:\n  - to: hello\n    via: 192.168.122.254`),
    ibm: 'valid',
    rule: 'network-route-cidr',
  },
  {
    name: 'version 3',
    text: iface('dhcp4: true').replace('version: 2', 'version: 3'),
    ibm: 'valid',
    rule: 'network-version-2',
  },
  {
    name: 'no version',
    text: iface('dhcp4: true').replace('  version: 2\n', ''),
    ibm: 'valid',
    rule: 'network-version-2',
  },
];

describe('network-config validation', () => {
  it('reports every problem at its place, in the contract validator format', () => {
    const report = validateNetworkConfigText(
      iface('dhcp4: true\naddresses: [10.0.0.1/8]\ndhcp6: true\n'),
      'network-config',
    );
    expect(report.valid).toBe(false);
    expect(report.problems.map(formatProblem)).toEqual([
      'network-config:6:7 network.ethernets.enc1.addresses: must be absent when dhcp4 is true',
      "network-config:7:7 network.ethernets.enc1.dhcp6: warning: not in the runtime's network schema, so not checked (known: dhcp4, mtu, addresses, gateway4, routes, nameservers)",
    ]);
    const nested = validateNetworkConfigText(
      iface(`${STATIC}\nroutes:\n  - to: 10.0.0.0/8\n    via: 300.1.1.1`),
      'net.yaml',
    );
    expect(nested.problems.map(formatProblem)).toEqual([
      'net.yaml:11:16 network.ethernets.enc1.routes[0].via: must be an IPv4 address, like 192.168.122.1',
    ]);
    expect(nested.problems[0]!.rule).toBe('network-ipv4-format');
  });

  it('fails syntax errors with a position, and is recognised by its only key', () => {
    expect(() => validateNetworkConfigText('network:\n  ethernets: [\n', 'n.yaml')).toThrow(
      /^n\.yaml:\d+:\d+: invalid YAML/,
    );
    expect(isNetworkConfig(iface('dhcp4: true'))).toBe(true);
    expect(isNetworkConfig('{"network": {}}')).toBe(true);
    expect(isNetworkConfig('network: {}\nworkload: x\n')).toBe(false);
    expect(isNetworkConfig('workload: x\nenv: y\n')).toBe(false);
    expect(isNetworkConfig('network: [\n')).toBe(false);
  });

  describe.skipIf(!HAS_REFERENCE)(
    `against IBM's schema and samples (${HAS_REFERENCE ? 'hpse-network-schema.json' : REFERENCE_SKIP_REASON})`,
    () => {
      let ibm: ValidateFunction;
      beforeAll(() => {
        // as contract-go validates: draft 2020-12, formats not asserted
        const ajv = new Ajv2020({ strict: false, validateFormats: false });
        ibm = ajv.compile(
          JSON.parse(readFileSync(referencePath('schema', 'hpse-network-schema.json'), 'utf8')),
        );
      });

      it('accepts the valid sample and rejects the invalid one at the interface name', () => {
        const valid = referencePath('fixtures', 'network-config', 'network_config.yaml');
        expect(validateNetworkConfigText(readFileSync(valid, 'utf8'), 'valid.yaml')).toEqual({
          problems: [],
          valid: true,
          encrypted: [],
          forms: {},
        });
        const invalid = readFileSync(
          referencePath('fixtures', 'network-config', 'network_config_invalid.yaml'),
          'utf8',
        );
        expect(
          validateNetworkConfigText(invalid, 'invalid.yaml').problems.map(formatProblem),
        ).toEqual([
          'invalid.yaml:4:5 network.ethernets.enc: "enc" is not an s390x interface name (enc followed by digits, like enc1)',
        ]);
      });

      it('agrees with IBM on every case except where a named rule is stricter', () => {
        const disagreements: string[] = [];
        for (const entry of CASES) {
          const official = ibm(parse(entry.text)) ? 'valid' : 'invalid';
          expect(official, `${entry.name}: IBM's verdict`).toBe(entry.ibm);
          const report = validateNetworkConfigText(entry.text, 'case.yaml');
          const errors = report.problems.filter((problem) => problem.severity === 'error');
          const expected = entry.rule ? 'invalid' : entry.ibm;
          if ((expected === 'valid') !== report.valid) {
            disagreements.push(`${entry.name}: ${report.problems.map(formatProblem).join(' | ')}`);
          }
          if (entry.rule) {
            expect(
              errors.map((problem) => problem.rule),
              entry.name,
            ).toContain(entry.rule);
          } else {
            expect(
              errors.filter((problem) => problem.rule),
              entry.name,
            ).toEqual([]);
          }
        }
        expect(disagreements).toEqual([]);
        expect(new Set(CASES.map((entry) => entry.rule).filter(Boolean))).toEqual(
          new Set(Object.keys(NETWORK_CONFIG_RULES)),
        );
      });
    },
  );
});

/**
 * hpvs-ctl's JSON Schema (draft 2020-12) for the cloud-init `network-config` of an on-prem
 * runtime, written from the facts of IBM's `hpse-network-schema.json` (SPEC-IBM A6.2). It is
 * deliberately stricter in the places IBM's validation silently lets through (A6.5), each
 * named by its `hpvsRule`: IPv4 formats are asserted, `routes[].to` is checked as a CIDR, and
 * `version` must be 2, as cloud-init requires.
 */

type Schema = Record<string, unknown>;

const OCTET = '(25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)';
export const IPV4_CIDR = `^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}/([0-9]|[12][0-9]|3[0-2])$`;

/** The interface keys IBM's schema describes; others are passed to cloud-init unchecked. */
export const INTERFACE_KEYS = ['dhcp4', 'mtu', 'addresses', 'gateway4', 'routes', 'nameservers'];
export const NETWORK_KEYS = ['version', 'ethernets'];

export const NETWORK_CONFIG_RULES = {
  'network-version-2':
    'network.version is required and must be 2 (IBM accepts any integer or none)',
  'network-ipv4-format':
    'gateway4, routes[].via and nameservers.addresses must be IPv4 addresses (IBM does not assert formats)',
  'network-route-cidr':
    'routes[].to must be an IPv4 CIDR (IBM wrote the pattern under format, which checks nothing)',
} as const;

const cidr = (what: string): Schema => ({
  type: 'string',
  pattern: IPV4_CIDR,
  hpvsMessage: `must be ${what} IPv4 address with a prefix length, like 192.168.122.110/24`,
});

const ipv4: Schema = {
  type: 'string',
  format: 'ipv4',
  hpvsMessage: 'must be an IPv4 address, like 192.168.122.1',
  hpvsRule: 'network-ipv4-format',
};

const absentWithDhcp: Schema = { not: {}, hpvsMessage: 'must be absent when dhcp4 is true' };

const networkInterface: Schema = {
  type: 'object',
  required: ['dhcp4'],
  properties: {
    dhcp4: { type: 'boolean' },
    mtu: { type: 'integer' },
    addresses: { type: 'array', items: cidr('an') },
    gateway4: ipv4,
    routes: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          to: { ...cidr('a network'), hpvsRule: 'network-route-cidr' },
          via: ipv4,
        },
      },
    },
    nameservers: {
      type: 'object',
      required: ['addresses'],
      properties: {
        addresses: { type: 'array', items: ipv4 },
        search: { type: 'array', items: { type: 'string' } },
      },
    },
  },
  if: { properties: { dhcp4: { const: true } } },
  then: {
    properties: {
      addresses: absentWithDhcp,
      gateway4: absentWithDhcp,
      routes: absentWithDhcp,
      nameservers: absentWithDhcp,
    },
  },
  else: {
    required: ['addresses'],
    properties: {
      addresses: {
        type: 'array',
        minItems: 1,
        hpvsMessage: 'needs at least one address when dhcp4 is false',
      },
    },
  },
};

export function networkConfigSchema(): Schema {
  return {
    type: 'object',
    required: ['network'],
    properties: {
      network: {
        type: 'object',
        // a missing version is reported by validate-network-config.ts, with its rule
        required: ['ethernets'],
        properties: {
          version: {
            const: 2,
            hpvsMessage: 'must be 2 (cloud-init network config version 2)',
            hpvsRule: 'network-version-2',
          },
          ethernets: {
            type: 'object',
            minProperties: 1,
            hpvsMessage: 'needs at least one interface (enc0, enc1, ...)',
            propertyNames: {
              pattern: '^enc[0-9]+$',
              hpvsMessage: 'is not an s390x interface name (enc followed by digits, like enc1)',
            },
            additionalProperties: networkInterface,
          },
        },
      },
    },
  };
}

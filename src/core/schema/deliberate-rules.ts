/**
 * Where hpvs-ctl's validator deliberately differs from the runtime's published contract schema
 * (hpse-contract-schema 1.0.116). Every other contract gets the same verdict from both; the
 * conformance test (test/schema/conformance.test.ts) checks that, case by case. The README
 * lists these too.
 */
export interface DeliberateRule {
  /** `stricter`: an error the published schema does not give; `lenient`: a warning instead of an error. */
  kind: 'stricter' | 'lenient';
  summary: string;
}

export const DELIBERATE_RULES = {
  'sections-required': {
    kind: 'stricter',
    summary:
      'user data needs both workload and env (the schema makes neither required; the runtime cannot boot without them)',
  },
  'volume-names-match': {
    kind: 'stricter',
    summary:
      'every workload volume needs an env volume of the same name and vice versa (the runtime fails with HPL07015E)',
  },
  'archive-contents': {
    kind: 'stricter',
    summary:
      "compose.archive and play.archive must be base64 of a gzip'd tar holding only files and directories; a compose archive must hold docker-compose.yaml or .yml at the top",
  },
  'compose-no-build': {
    kind: 'stricter',
    summary:
      'a docker-compose file in the archive must not use build: (the runtime cannot build images)',
  },
  'port-range': {
    kind: 'stricter',
    summary: 'logging ports must be at most 65535',
  },
  'syslog-client-pair': {
    kind: 'stricter',
    summary: 'syslog cert and key come together (mutual TLS needs both)',
  },
  'signing-key-usable': {
    kind: 'stricter',
    summary:
      'env.signingKey must be an RSA public key or certificate that parses (base64 must decode to one)',
  },
  'contract-not-expired': {
    kind: 'stricter',
    summary:
      'an env.signingKey certificate must not be expired: its notAfter is the contract expiry (the runtime stops with HPL12007E)',
  },
  'attestation-key-usable': {
    kind: 'stricter',
    summary: 'attestationPublicKey must be an RSA public key that parses',
  },
  'signature-not-empty': {
    kind: 'stricter',
    summary: 'envWorkloadSignature must not be empty',
  },
  'kubernetes-shape': {
    kind: 'stricter',
    summary:
      'play resources and templates need apiVersion: v1 and kind: Pod or ConfigMap; list items in a Pod (containers, env, ports, volumeMounts, volumes) must not be null',
  },
  'ccrv-no-compose': {
    kind: 'stricter',
    summary:
      'on the ccrv platform a workload must not have compose at all, even beside play (CCRV runs play only)',
  },
  'attestation-key-base64': {
    kind: 'lenient',
    summary:
      'attestationPublicKey may be the base64 of the PEM public key (IBM docs and Terraform examples use it, the runtime accepts it); the published schema allows only the PEM text, so this is a warning',
  },
  'logdna-legacy': {
    kind: 'lenient',
    summary:
      'logging.logDNA (the 2023 runtime, schema 1.0.51) is accepted with a deprecation warning; current images need syslog or logRouter',
  },
} as const satisfies Record<string, DeliberateRule>;

export type DeliberateRuleId = keyof typeof DELIBERATE_RULES;

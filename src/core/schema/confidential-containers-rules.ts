import { input, worded, type Wording } from '../wording.js';
import { isMapping, type Mapping } from '../mapping.js';
import { isStrictBase64 } from '../crypto/strict-base64.js';
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { parseRego, RegoSyntaxError } from '../ccco/rego-syntax.js';
import { pemText } from '../crypto/keys.js';
import type { ContractSection, YamlPath } from '../contract/user-data.js';
import type { DeliberateRule } from './deliberate-rules.js';
import type { RuleContext } from './cross-section-rules.js';

/**
 * What the coco schema does not check in `confidential-containers` (SPEC-IBM A7.2, A7.7), for
 * `--platform ccco`. Each is an error the published schema would not give, under its own rule
 * id; the ccco conformance test checks that IBM's samples differ from the schema's verdict by
 * these rules only.
 */
export const COCO_DELIBERATE_RULES = {
  'cosign-entries-checked': {
    kind: 'stricter',
    summary:
      'config.cosign entries keyed by an image reference (with . / : or @, which the schema skips) need a publicKey string too',
  },
  'cosign-key-usable': {
    kind: 'stricter',
    summary: 'a cosign publicKey must be a PEM public key (or its base64) that parses',
  },
  'rego-policy-usable': {
    kind: 'stricter',
    summary:
      'regoValidator.policy must be base64 of a Rego policy that parses (the policy generator writes one)',
  },
  'secret-keys-usable': {
    kind: 'stricter',
    summary:
      'secret.verificationKey must be an RSA public key and secret.decryptionKey an unencrypted RSA private key (PEM or its base64)',
  },
} as const satisfies Record<string, DeliberateRule>;

export type CocoRuleId = keyof typeof COCO_DELIBERATE_RULES;

const NAME = /^[a-zA-Z0-9_-]+$/;

export function checkConfidentialContainers(
  section: ContractSection,
  kind: 'workload' | 'env',
  context: RuleContext,
): void {
  const data = section.data as Mapping;
  const cc = data['confidential-containers'];
  if (!isMapping(cc)) return;
  const base: YamlPath = ['confidential-containers'];
  const error = (path: YamlPath, message: string | Wording, rule: CocoRuleId): void => {
    context.list.add(
      'error',
      section.source,
      section.positionOf([...base, ...path]),
      [kind, ...base, ...path],
      message,
      rule,
    );
  };
  if (isMapping(cc.secret)) checkSecretKeys(cc.secret, error);
  if (kind !== 'workload') return;
  const cosign = isMapping(cc.config) ? cc.config.cosign : undefined;
  if (isMapping(cosign)) {
    for (const [name, entry] of Object.entries(cosign)) {
      const path = ['config', 'cosign', name];
      if (!NAME.test(name) && !(isMapping(entry) && typeof entry.publicKey === 'string')) {
        error(
          path,
          'needs publicKey (a string), like every cosign entry',
          'cosign-entries-checked',
        );
        continue;
      }
      if (isMapping(entry) && typeof entry.publicKey === 'string') {
        const problem = keyProblem(entry.publicKey, 'public', false);
        if (problem) error([...path, 'publicKey'], problem, 'cosign-key-usable');
      }
    }
  }
  const rego = cc.regoValidator;
  if (isMapping(rego) && typeof rego.policy === 'string') {
    const problem = policyProblem(rego.policy);
    if (problem) error(['regoValidator', 'policy'], problem, 'rego-policy-usable');
  }
}

function checkSecretKeys(
  secret: Mapping,
  error: (path: YamlPath, message: string, rule: CocoRuleId) => void,
): void {
  if (typeof secret.verificationKey === 'string') {
    const problem = keyProblem(secret.verificationKey, 'public', true);
    if (problem) error(['secret', 'verificationKey'], problem, 'secret-keys-usable');
  }
  if (typeof secret.decryptionKey === 'string') {
    const problem = keyProblem(secret.decryptionKey, 'private', true);
    if (problem) error(['secret', 'decryptionKey'], problem, 'secret-keys-usable');
  }
}

/** Says what is wrong with a key, without ever quoting it. */
function keyProblem(
  text: string,
  kind: 'public' | 'private',
  rsaOnly: boolean,
): string | undefined {
  const algorithm = rsaOnly ? 'RSA ' : '';
  const wanted =
    kind === 'public'
      ? `${rsaOnly ? 'an' : 'a'} ${algorithm}public key`
      : `an unencrypted ${algorithm}private key`;
  let pem: string;
  try {
    pem = pemText(text, 'key');
  } catch {
    return `must be ${wanted} in PEM (or its base64)`;
  }
  const label = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(pem)?.[1] ?? '';
  if (kind === 'public' && label.includes('PRIVATE')) {
    return `is a private key; give ${wanted}`;
  }
  if (kind === 'private' && !label.includes('PRIVATE')) {
    return `is a "${label}" PEM block; give ${wanted}`;
  }
  if (label === 'ENCRYPTED PRIVATE KEY') return `is passphrase-protected; give ${wanted}`;
  let key: KeyObject;
  try {
    key = kind === 'public' ? createPublicKey(pem) : createPrivateKey(pem);
  } catch {
    return `does not parse as ${wanted}`;
  }
  if (rsaOnly && key.asymmetricKeyType !== 'rsa') {
    return `is ${key.asymmetricKeyType?.toUpperCase() ?? 'an unknown'} key; give ${wanted}`;
  }
  return undefined;
}

function policyProblem(policy: string): string | Wording | undefined {
  const compact = policy.replace(/\s+/g, '');
  if (compact === '' || !isStrictBase64(compact)) {
    return worded`must be the base64 of the Rego policy (${input('generate-policy-base64')})`;
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(compact, 'base64'));
  } catch {
    return 'is base64 of something that is not UTF-8 text, not of a Rego policy';
  }
  try {
    parseRego(text);
  } catch (error) {
    if (error instanceof RegoSyntaxError) {
      return `is base64 of a Rego policy that does not parse: policy line ${error.line}:${error.col}: ${error.message.replace(/^\d+:\d+: /, '')}`;
    }
    throw error;
  }
  return undefined;
}

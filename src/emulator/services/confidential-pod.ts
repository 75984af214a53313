import { isStrictBase64 } from '../../core/crypto/strict-base64.js';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  decideContainer,
  readPolicyRules,
  type PolicyRules,
} from '../../core/ccco/policy-decision.js';
import { sealedSecretType, unsealSecret, type SealedType } from '../../core/ccco/sealed-secret.js';
import { parsePrivateKey, pemText } from '../../core/crypto/keys.js';
import { writeFileAtomic } from '../../node/write-output.js';
import { ServiceFailure, sectionData, type BootContext } from '../boot-context.js';
import { messageOf } from './bootloader.js';
import { CONTAINERS } from './containers.js';

/**
 * What the Kata agent in a peer-pod VM does with the contract (SPEC-IBM A7): load the agent
 * policy from workload.confidential-containers.regoValidator, open the sealed secrets in the
 * pod's environment with the `secret` keys of the section they were sealed for, and admit or
 * refuse each container's CreateContainerRequest. Nothing is started; the plan (without any
 * secret value) is written to OUT/workload/pod-plan.json.
 */
export const AGENT = 'kata-agent';

interface SecretKeys {
  verificationKey: KeyObject;
  decryptionKey: KeyObject;
}

export async function runConfidentialPod(context: BootContext): Promise<void> {
  const log = context.console;
  const pod = context.pod ?? [];
  const fail = (text: string): never => {
    log.error(AGENT, undefined, text);
    throw new ServiceFailure(AGENT);
  };
  const cc = record(sectionData(context, 'workload')['confidential-containers']);
  const rules = loadPolicy(cc, fail);
  log.note(
    AGENT,
    `agent policy loaded: ${rules.images.length} image rules, ${rules.commands.length} command rules`,
  );
  const keys: Record<SealedType, SecretKeys | undefined> = {
    workload: secretKeys(cc, 'workload', fail),
    env: secretKeys(record(sectionData(context, 'env')['confidential-containers']), 'env', fail),
  };
  let opened = 0;
  let refused = 0;
  const plan = [];
  for (const container of pod) {
    const who = `${container.owner} container ${JSON.stringify(container.name)}`;
    const env = [];
    for (const variable of container.env) {
      if (!variable.value.startsWith('sealed.')) {
        env.push({ name: variable.name, sealed: false });
        continue;
      }
      const where = `${who} env ${JSON.stringify(variable.name)}`;
      const type = sealedSecretType(variable.value);
      if (type === undefined)
        fail(`${where}: not a sealed secret (sealed.<header>.<payload>.<signature>)`);
      const sectionKeys = keys[type!];
      if (sectionKeys === undefined) {
        fail(
          `${where}: sealed for the ${type} section, whose confidential-containers has no secret keys`,
        );
      }
      try {
        unsealSecret(variable.value, { ...sectionKeys!, type: type! });
      } catch (error) {
        fail(
          `${where}: the sealed secret cannot be opened with the ${type} section's keys: ${messageOf(error)}`,
        );
      }
      opened++;
      env.push({ name: variable.name, sealed: true });
    }
    const decision = decideContainer(rules, container.image, container.args ?? []);
    if (!decision.allowed) {
      refused++;
      log.error(
        AGENT,
        undefined,
        `CreateContainerRequest is blocked by the agent policy: ${who} (image ${JSON.stringify(container.image)}): its ${decision.reason === 'image' ? 'image is not allowed' : 'command is not allowed for this image'}`,
      );
    } else {
      log.note(AGENT, `CreateContainerRequest allowed: ${who}`);
    }
    plan.push({
      owner: container.owner,
      name: container.name,
      init: container.init,
      image: container.image,
      args: container.args ?? null,
      env,
      allowed: decision.allowed,
    });
  }
  const workDir = join(context.outDir, 'workload');
  await mkdir(workDir, { recursive: true, mode: 0o700 });
  await writeFileAtomic(join(workDir, 'pod-plan.json'), `${JSON.stringify(plan, null, 2)}\n`, {
    secret: true,
  });
  if (refused > 0) throw new ServiceFailure(AGENT);
  log.info(
    CONTAINERS,
    'HPL15004I',
    `The pod started successfully. (ccco: ${pod.length} container${pod.length === 1 ? '' : 's'} admitted by the agent policy, ${opened} sealed secret${opened === 1 ? '' : 's'} opened, none started)`,
  );
}

function loadPolicy(cc: Record<string, unknown>, fail: (text: string) => never): PolicyRules {
  const policy = record(cc.regoValidator).policy;
  if (typeof policy !== 'string') {
    return fail(
      'no workload.confidential-containers.regoValidator.policy: the agent refuses every container',
    );
  }
  const compact = policy.replace(/\s+/g, '');
  if (!isStrictBase64(compact)) {
    return fail('workload.confidential-containers.regoValidator.policy is not base64');
  }
  try {
    return readPolicyRules(Buffer.from(compact, 'base64').toString('utf8'), 'agent policy');
  } catch (error) {
    return fail(messageOf(error));
  }
}

function secretKeys(
  cc: Record<string, unknown>,
  section: SealedType,
  fail: (text: string) => never,
): SecretKeys | undefined {
  const secret = record(cc.secret);
  if (typeof secret.verificationKey !== 'string' || typeof secret.decryptionKey !== 'string') {
    return undefined;
  }
  const where = `${section}.confidential-containers.secret`;
  try {
    return {
      verificationKey: createPublicKey(pemText(secret.verificationKey, `${where}.verificationKey`)),
      decryptionKey: parsePrivateKey(secret.decryptionKey, `${where}.decryptionKey`),
    };
  } catch (error) {
    return fail(`${where}: ${messageOf(error)}`);
  }
}

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

import { asMapping, type Mapping } from '../mapping.js';
/**
 * The kinds of secret a plaintext workload or env section exposes to whoever reads the user
 * data (never their values): what inspect warns about before such a section is submitted.
 */

function volumeSecrets(volumes: unknown): string[] {
  const found = Object.values(asMapping(volumes) ?? {}).some((volume) => {
    const record = asMapping(volume);
    return record?.['seed'] !== undefined || record?.['previousSeed'] !== undefined;
  });
  return found ? ['volume seeds'] : [];
}

export function workloadSecrets(data: Mapping): string[] {
  return [
    ...(data['auths'] ? ['registry passwords'] : []),
    ...volumeSecrets(data['volumes']),
    ...(data['env'] ? ['environment values'] : []),
  ];
}

export function envSecrets(data: Mapping): string[] {
  const logging = asMapping(data['logging']);
  const syslog = asMapping(logging?.['syslog']);
  return [
    ...(syslog?.['key'] ? ['syslog client key'] : []),
    ...(asMapping(logging?.['logRouter'])?.['iamApiKey'] ? ['IAM API key'] : []),
    ...(asMapping(logging?.['logDNA'])?.['ingestionKey'] ? ['ingestion key'] : []),
    ...(data['auths'] ? ['registry passwords'] : []),
    ...volumeSecrets(data['volumes']),
    ...(Object.values(asMapping(data['volumes']) ?? {}).some((volume) => asMapping(volume)?.['kms'])
      ? ['KMS API keys']
      : []),
    ...(data['env'] ? ['environment values'] : []),
  ];
}

/**
 * The kinds of secret a plaintext workload or env section exposes to whoever reads the user
 * data (never their values): what inspect warns about before such a section is submitted.
 */

type Data = Record<string, unknown>;

function recordOf(value: unknown): Data | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Data)
    : undefined;
}

function volumeSecrets(volumes: unknown): string[] {
  const found = Object.values(recordOf(volumes) ?? {}).some((volume) => {
    const record = recordOf(volume);
    return record?.['seed'] !== undefined || record?.['previousSeed'] !== undefined;
  });
  return found ? ['volume seeds'] : [];
}

export function workloadSecrets(data: Data): string[] {
  return [
    ...(data['auths'] ? ['registry passwords'] : []),
    ...volumeSecrets(data['volumes']),
    ...(data['env'] ? ['environment values'] : []),
  ];
}

export function envSecrets(data: Data): string[] {
  const logging = recordOf(data['logging']);
  const syslog = recordOf(logging?.['syslog']);
  return [
    ...(syslog?.['key'] ? ['syslog client key'] : []),
    ...(recordOf(logging?.['logRouter'])?.['iamApiKey'] ? ['IAM API key'] : []),
    ...(recordOf(logging?.['logDNA'])?.['ingestionKey'] ? ['ingestion key'] : []),
    ...(data['auths'] ? ['registry passwords'] : []),
    ...volumeSecrets(data['volumes']),
    ...(Object.values(recordOf(data['volumes']) ?? {}).some((volume) => recordOf(volume)?.['kms'])
      ? ['KMS API keys']
      : []),
    ...(data['env'] ? ['environment values'] : []),
  ];
}

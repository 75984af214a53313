import type {
  EnvSummary,
  KeyReport,
  SectionReport,
  SignatureReport,
  UserDataInspection,
  VolumeReport,
  WorkloadSummary,
} from '../../core/contract/inspection.js';

/** The text report of `hpvs-ctl inspect`: the report of `inspectUserData`, one line a fact. */
export function formatInspection(report: UserDataInspection): string {
  const lines: string[] = [];
  const percent = Math.round((report.bytes / report.limit) * 100);
  lines.push(
    `${report.source}: ${report.bytes} bytes (${percent}% of the ${report.limit}-byte IBM Cloud user-data limit)`,
  );
  for (const section of report.sections) {
    lines.push('', `${section.key} (line ${section.line}): ${describeForm(section)}`);
    const summary = section.summary;
    // no push(...list): a section with 300,000 volumes or images would overflow the stack
    if (summary?.type === 'workload') for (const line of formatWorkload(summary)) lines.push(line);
    if (summary?.type === 'env') for (const line of formatEnv(summary)) lines.push(line);
    if (summary?.type === 'public-key') lines.push(`  ${formatKey(summary.key)}`);
  }
  lines.push('', `envWorkloadSignature: ${formatSignature(report.signature)}`);
  if (report.findings.length > 0) {
    lines.push('');
    for (const finding of report.findings) lines.push(`${finding.severity}: ${finding.message}`);
  }
  return `${lines.join('\n')}\n`;
}

function describeForm(section: SectionReport): string {
  if (section.form === 'encrypted') {
    if (!section.token) return `encrypted, ${section.bytes} bytes, MALFORMED token`;
    const token = section.token;
    const openness = token.readableWithEmptyPassword
      ? 'READABLE BY ANYONE (opens with the empty password)'
      : 'does not open with the empty password';
    return `encrypted (${token.prefix}), ${section.bytes} bytes, RSA-${token.rsaBits} password block, ${token.dataBytes} bytes of data, ${openness}`;
  }
  if (section.form === 'plaintext') {
    const written = section.written === 'string' ? '| block string' : 'mapping';
    return `plaintext (${written}), ${section.bytes} bytes`;
  }
  return `${section.form}, ${section.bytes} bytes`;
}

function list(items: readonly string[]): string {
  return items.length === 0 ? 'none' : items.join(', ');
}

function formatVolumes(volumes: readonly VolumeReport[]): string[] {
  return volumes.map((volume) => {
    const parts = [
      volume.mount && `mount ${volume.mount}`,
      volume.filesystem,
      volume.seed ? 'seed set' : 'NO seed',
      volume.previousSeed && 'previousSeed set',
      volume.kms !== undefined && `${volume.kms} KMS key(s)`,
    ].filter(Boolean);
    return `  volume ${volume.name}: ${parts.join(', ')}`;
  });
}

function formatWorkload(summary: WorkloadSummary): string[] {
  const lines = [
    `  runtime: ${summary.runtime}${summary.archiveBytes !== undefined ? `, archive ${summary.archiveBytes} bytes` : ''}${summary.archiveFiles ? ` (${list(summary.archiveFiles)})` : ''}`,
  ];
  for (const image of summary.images) {
    const how = image.signature
      ? `signature checked (${image.signature})`
      : image.pinned
        ? 'pinned by digest'
        : 'NOT pinned';
    lines.push(`  image ${image.reference}: ${how}`);
  }
  for (const line of formatVolumes(summary.volumes)) lines.push(line);
  lines.push(`  registries: ${list(summary.registries)}`);
  lines.push(`  environment variables: ${list(summary.envNames)}`);
  return lines;
}

function formatEnv(summary: EnvSummary): string[] {
  const lines: string[] = [];
  const logging = summary.logging;
  if (logging) {
    const target = `${logging.hostname ?? '?'}${logging.port !== undefined ? `:${logging.port}` : ''}`;
    const tls =
      logging.type === 'syslog'
        ? ` (CA ${logging.serverCa ? 'set' : 'missing'}, client certificate ${logging.clientCertificate ? 'set' : 'missing'}, client key ${logging.clientKey ? 'set' : 'missing'})`
        : '';
    lines.push(`  logging: ${logging.type} to ${target}${tls}`);
  } else {
    lines.push('  logging: none');
  }
  for (const line of formatVolumes(summary.volumes)) lines.push(line);
  lines.push(`  registries: ${list(summary.registries)}`);
  lines.push(`  environment variables: ${list(summary.envNames)}`);
  if (summary.signingKey) lines.push(`  signingKey: ${formatKey(summary.signingKey)}`);
  return lines;
}

function formatKey(key: KeyReport): string {
  const kind = key.kind === 'certificate' ? 'certificate' : 'public key';
  const bits = key.rsaBits !== undefined ? `RSA-${key.rsaBits} ` : '';
  const expiry = key.notAfter ? `, ${key.subject}, expires ${key.notAfter}` : '';
  return `${bits}${kind}, sha256 ${key.fingerprint}${expiry}`;
}

function formatSignature(signature: SignatureReport): string {
  if (!signature.present) return 'absent';
  const bits = signature.rsaBits !== undefined ? `RSA-${signature.rsaBits}, ` : '';
  const check =
    signature.check === 'valid'
      ? 'valid for env.signingKey'
      : signature.check === 'invalid'
        ? `INVALID: ${signature.reason}`
        : `not checked: ${signature.reason}`;
  return `present, ${bits}${check}`;
}

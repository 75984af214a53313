/**
 * Words for what a caller supplies. The core speaks of concepts ("the passphrase of the private
 * key"); a front end names its own inputs instead (the CLI its flags, in
 * `src/cli/commands/input-phrases.ts`). A message that refers to such an input holds it as a phrase id,
 * so each front end says the same message in its own terms, and none has to parse the text.
 */
export const INPUT_PHRASES = {
  'private-key-passphrase': 'give the passphrase of the private key',
  'allow-expired': 'allow an expired certificate to encrypt anyway',
  'expiry-days': 'the contract validity in days',
  'fewer-days-or-newer-ca': 'make the contract valid for fewer days, or use a newer CA',
  'signing-key': 'the signing key',
  'signing-public-key': 'the signing public key',
  'signing-key-or-runtime-key':
    "give the signing public key, or the runtime's private key to read env.signingKey",
  'auditor-key': "give the auditor's private key (and its passphrase if it is protected)",
  'syslog-host': "give the syslog server's DNS name or its IP address",
  'syslog-hostname': 'syslog server name',
  'syslog-ip': 'syslog server address',
  'syslog-ip-instead': 'give an IP address as the address instead',
  'another-attestation-key': 'do not give another attestation key',
  'runtime-version': 'runtime version',
  'key-file-name': 'key file name',
  'give-encryption-certificate': "give the runtime's encryption certificate instead",
  'current-or-expired-certificate':
    'give a current encryption certificate, or pick one by version and allow it to be expired',
  'current-version-or-allow-expired':
    'use a current version, or allow an expired certificate to encrypt anyway',
  'chain-and-root': 'give the certificate alone and the rest as chain and trust anchors',
  'encrypt-section': "encrypt it for the runtime's encryption certificate",
  'open-record': "open it with the auditor's private key",
  'add-encryption-certificate': "encrypt it for the runtime's encryption certificate",
  'encrypt-both': "encrypt both for the runtime's encryption certificate",
  'add-signing-key-to-env': 'add it by building the contract with its signing key',
  'issue-new-contract': 'issue a new contract with a new validity period',
  'generate-policy-base64': 'generate it from the pod manifest, as base64',
  'no-root-given-chain': 'no trust anchor given (give the CA chain and its root to check it)',
  'no-root-given':
    'no trust anchor given (give the CA root, or the certificate itself when it is self-signed)',
  'partial-chain-anchor': 'a trust anchor only because a partial chain is trusted',
  'partial-chain-trusted': 'trusted as the end of a partial chain',
  'trust-partial-chain': 'trust a partial chain to make it one',
  'root-anchors': 'the given trust anchors',
  'chain-and-root-certificates': 'the given chain and trust anchor certificates',
  'given-as-root': 'given as a trust anchor',
  'missing-crl-allowed': 'missing CRLs allowed',
  'give-crl': 'give it, or allow missing CRLs to skip this check visibly',
  'catalogue-version-not-with-certificate':
    'a catalogue version picks a certificate from the catalogue; it cannot be used with a given certificate',
  'platform-uses-catalogue': "a platform uses IBM's certificate for it from the catalogue",
  'or-give-certificate': "or the runtime's encryption certificate is given",
  'initdata-and-pod': 'initdata and a pod manifest',
  'create-ccco-emulator': 'create an emulator for the ccco platform',
  'give-pod-manifest': 'give the pod manifest (or boot from initdata in a manifest carrying it)',
  'give-pod-of-initdata': 'give the pod manifest it belongs to',
  'deprecated-taken': 'taken when deprecated images are included',
  'signing-ca': 'the given CA certificate',
  'refused-unless-expired-allowed':
    'encrypting refuses it unless an expired certificate is allowed',
  'another-folder-or-replace': 'choose another output folder or allow replacing them',
  'replace-emulator-state': 'allow replacing it with a new identity',
  'create-emulator-state': 'create an emulator state in',
  'recreate-emulator-state': 're-create the emulator state, replacing this one',
  'stop-emulator-workload': 'stop the workload of the emulator instance in',
  'podman-config': 'podman configuration',
  'instance-folder': 'an instance folder',
  'encrypt-or-allow-plaintext':
    'encrypt the contract for the ccco runtime, or allow plaintext sections explicitly',
  'encrypt-for-platform': 'encrypt it for the platform',
  'volume-image': 'a volume image',
  'volume-image-without-name': 'a volume image without a volume name',
  'name-volume-images': 'give each volume image with the name of its volume',
  'no-volume-image': 'no volume image given',
  'fast-kdf': 'fast key derivation for tests',
  'workload-kept-running': 'the workload keeps running, as asked',
  'follow-workload-controls':
    '(aborting the boot stops and removes it; keeping it running leaves it running)',
  'stopping-emulator-workload': 'stopping the workload of the emulator instance in',
  'sandbox-podman-config': 'boot with the sandbox podman configuration',
  'podman-or-plan-runtime': 'the podman runtime needs podman; install it or use the plan runtime',
  'validate-plaintext-sections': 'validate the plaintext sections to see them all',
  'give-emulator-state-folder': 'give the folder an emulator state was created in',
  'validate-contract': 'validate the contract to see them all',
  'validate-network-config': 'validate the network configuration to see them all',
  'env-assignment': 'the environment value',
  'host-key-document': 'a host key document',
  'give-host-key-document': 'a host key document',
  'ccco-bare-metal': 'the ccco-bmtl platform',
} as const;

export type InputPhraseId = keyof typeof INPUT_PHRASES;

export interface InputPhrase {
  readonly input: InputPhraseId;
}

/** A message as text and input phrases, in order. */
export type Wording = readonly (string | InputPhrase)[];

export function input(id: InputPhraseId): InputPhrase {
  return { input: id };
}

/**
 * A message with input phrases in it: worded`${source}: protected; ${input('private-key-passphrase')}`.
 * A value that is itself a worded error keeps its phrases.
 */
export function worded(
  strings: TemplateStringsArray,
  ...values: readonly (string | number | InputPhrase | { wording?: Wording; message: string })[]
): Wording {
  const parts: (string | InputPhrase)[] = [];
  strings.forEach((text, index) => {
    parts.push(text);
    if (index >= values.length) return;
    const value = values[index]!;
    if (typeof value === 'string' || typeof value === 'number') parts.push(String(value));
    else if ('input' in value) parts.push(value);
    else for (const part of value.wording ?? [value.message]) parts.push(part);
  });
  return parts;
}

/**
 * A warning, a validation problem or a check's detail that refers to something the caller
 * supplies: `message` says it in the core's concepts, `wording` lets a front end say it in its
 * own terms (as `HpvsError` does for errors).
 */
export interface WordedText {
  readonly message: string;
  readonly wording: Wording;
}

/** What the core reports beside a result: text, or worded text when it names an input. */
export type Notice = string | WordedText;

export function wordedText(wording: Wording): WordedText {
  return { message: sayWording(wording), wording };
}

/** A notice as text in the given terms (the core's concepts by default). */
export function sayNotice(
  notice: Notice,
  phrases: Readonly<Record<InputPhraseId, string>> = INPUT_PHRASES,
): string {
  return typeof notice === 'string' ? notice : sayWording(notice.wording, phrases);
}

/** The message in the given terms: the core's concepts unless a front end gives its own. */
export function sayWording(
  wording: Wording,
  phrases: Readonly<Record<InputPhraseId, string>> = INPUT_PHRASES,
): string {
  return wording.map((part) => (typeof part === 'string' ? part : phrases[part.input])).join('');
}

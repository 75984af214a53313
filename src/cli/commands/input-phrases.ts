import { HpvsError } from '../../core/errors.js';
import { sayCheckDetail } from '../../core/pki/verification-check.js';
import { problemWording, sayProblem, type ContractProblem } from '../../core/schema/problems.js';
import {
  sayNotice,
  sayWording,
  type InputPhraseId,
  type Notice,
  type Wording,
} from '../../core/wording.js';

/** The CLI's words for what the core calls by concept: its flags (see src/core/wording.ts). */
export const CLI_INPUT_PHRASES: Readonly<Record<InputPhraseId, string>> = {
  'private-key-passphrase': 'give the passphrase with --passphrase-file',
  'allow-expired': 'use --allow-expired to encrypt anyway',
  'expiry-days': '--expiry-days',
  'fewer-days-or-newer-ca': 'use fewer --expiry-days or a newer CA',
  'signing-key': '--sign-key',
  'signing-public-key': '--signing-key',
  'signing-key-or-runtime-key':
    "give --signing-key PUBFILE, or --decrypt-key with the runtime's private key to read env.signingKey",
  'auditor-key':
    "give the auditor's private key with --key (and --passphrase-file if it is protected)",
  'syslog-host': 'give the syslog server name with --hostname NAME or its address with --ip ADDR',
  'syslog-hostname': '--hostname',
  'syslog-ip': '--ip',
  'syslog-ip-instead': 'use --ip for an address',
  'another-attestation-key': 'leave out --attestation-key',
  'runtime-version': '--version',
  'key-file-name': '--name',
  'give-encryption-certificate': 'give the certificate with --cert instead',
  'current-or-expired-certificate':
    'give a current one with --cert, or pick one with --cert-version and --allow-expired',
  'current-version-or-allow-expired': 'use a current version or --allow-expired to encrypt anyway',
  'chain-and-root': 'give the certificate alone and the rest with --chain/--root',
  'encrypt-section': 'encrypt it with --cert',
  'open-record': 'give --key to open it',
  'add-encryption-certificate': 'add --cert',
  'encrypt-both': 'encrypt both with --cert',
  'add-signing-key-to-env': 'add it with hpvs-ctl contract --sign-key',
  'issue-new-contract': 'issue a new one with hpvs-ctl contract --expiry-days',
  'generate-policy-base64': 'hpvs-ctl policy generate --pod pod.yaml --base64',
  'no-root-given-chain':
    'no --root trust anchor given (give the CA chain with --chain and --root to check it)',
  'no-root-given':
    'no --root trust anchor given (give the CA root, or the certificate itself when it is self-signed)',
  'partial-chain-anchor': 'a trust anchor only because of --partial-chain',
  'partial-chain-trusted': 'trusted by --partial-chain',
  'trust-partial-chain': 'pass --partial-chain to trust it as one',
  'root-anchors': 'the --root trust anchors',
  'chain-and-root-certificates': 'the --chain and --root certificates',
  'given-as-root': 'given as --root',
  'missing-crl-allowed': '--no-crl',
  'give-crl': 'pass it with --crl, or --no-crl to skip this check visibly',
  'catalogue-version-not-with-certificate':
    '--cert-version picks a certificate from the catalogue; it cannot be used with --cert',
  'platform-uses-catalogue': "--platform NAME uses IBM's certificate from the catalogue",
  'or-give-certificate': 'or --cert FILE gives one',
  'initdata-and-pod': '--initdata and --pod',
  'create-ccco-emulator': 'create one with hpvs-ctl emulator init --platform ccco',
  'give-pod-manifest':
    'give the pod manifest with --pod (or boot --initdata with a manifest carrying it)',
  'give-pod-of-initdata': 'give the pod it belongs to with --pod pod.yaml',
  'deprecated-taken': '--include-deprecated takes it',
  'signing-ca': '--ca-cert',
  'refused-unless-expired-allowed': 'encrypt refuses it without --allow-expired',
  'another-folder-or-replace': 'choose another --out-dir or pass --force to replace',
  'replace-emulator-state': 'pass --force to replace it with a new identity',
  'create-emulator-state': 'create one with hpvs-ctl emulator init --state',
  'recreate-emulator-state': 're-create the state with hpvs-ctl emulator init --force',
  'stop-emulator-workload': 'end it with hpvs-ctl emulator stop --out-dir',
  'podman-config': '--podman-config',
  'instance-folder': 'an --out-dir',
  'encrypt-or-allow-plaintext':
    'encrypt the contract (hpvs-ctl contract --platform ccco) or pass --allow-plaintext',
  'encrypt-for-platform': 'encrypt with --platform',
  'volume-image': '--volume-image',
  'volume-image-without-name': '--volume-image without a name',
  'name-volume-images': 'use --volume-image NAME=FILE',
  'no-volume-image': 'no --volume-image given',
  'fast-kdf': '--fast-kdf',
  'workload-kept-running': 'the workload keeps running (--keep-running)',
  'follow-workload-controls': '(Ctrl-C stops and removes it, --keep-running leaves it running)',
  'stopping-emulator-workload': 'hpvs-ctl emulator stop --out-dir',
  'sandbox-podman-config': 'boot with --podman-config sandbox',
  'podman-or-plan-runtime': 'the podman runtime needs podman; install it or use --runtime plan',
  'validate-plaintext-sections': 'run hpvs-ctl validate on the plaintext sections',
  'give-emulator-state-folder': 'give the folder made by hpvs-ctl emulator init',
  'validate-contract': 'run hpvs-ctl validate',
  'validate-network-config': 'run hpvs-ctl validate --network-config',
  'env-assignment': '--env',
  'host-key-document': '--host-key-doc',
  'give-host-key-document': '--host-key-doc <file>',
  'ccco-bare-metal': '--platform ccco-bmtl',
};

/** A warning, problem or check detail as the CLI says it. */
export function cliNotice(notice: Notice): string {
  return sayNotice(notice, CLI_INPUT_PHRASES);
}

/** A validator problem as the CLI reports it (`--json`): its message names flags. */
export function cliProblem(problem: ContractProblem): ContractProblem {
  return sayProblem(problem, CLI_INPUT_PHRASES);
}

/** `user-data.yaml:12:9 env.signingKey: ...` as the CLI prints it. */
export function cliProblemLine(problem: ContractProblem): string {
  return sayWording(problemWording(problem), CLI_INPUT_PHRASES);
}

/** A verification check (or a verdict quoting one) as the CLI reports it, text or `--json`. */
export function cliCheck<Check extends { detail: string; wording?: Wording }>(check: Check): Check {
  return sayCheckDetail(check, CLI_INPUT_PHRASES);
}

/** An error's message as the CLI says it: input phrases become the flags that give them. */
export function cliMessage(error: HpvsError): string {
  return error.wording === undefined ? error.message : sayWording(error.wording, CLI_INPUT_PHRASES);
}

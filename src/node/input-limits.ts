/**
 * The most hpvs-ctl reads of each kind of input, in one table (the README's table mirrors it,
 * and a test keeps the two equal). Every input is checked while it is read, so an endless
 * stream (/dev/zero, a pipe) stops at the limit instead of filling memory.
 */
export interface InputLimit {
  bytes: number;
  /** The kind, as messages and the README name it: "a contract section". */
  kind: string;
  /** What to do about an input over the limit, for the error message. */
  advice: string;
}

const KiB = 1024;
const MiB = 1024 * KiB;

const CHECK_FILE = 'check that this is the right file';

export const INPUT_LIMITS = {
  /**
   * A plaintext section (encrypt, contract --workload/--env, the YAML a builder embeds): far
   * above any real section (a compose archive is usually a few KiB), and half of user data.
   */
  section: {
    bytes: 4 * MiB,
    kind: 'a contract section',
    advice: 'keep large files in the container image, not in the contract',
  },
  /**
   * A whole user-data file. IBM Cloud VPC takes at most 64 KiB, which hpvs-ctl only warns about
   * (on-prem KVM and other platforms take more); 8 MiB bounds what is parsed and hashed while
   * leaving any real contract (two sections and a key) far below it.
   */
  userData: {
    bytes: 8 * MiB,
    kind: 'user data',
    advice: 'keep large files in the container image, not in the contract',
  },
  /** A token to decrypt: the base64 of a section, or of user data at most. */
  token: { bytes: 12 * MiB, kind: 'an encrypted section', advice: CHECK_FILE },
  /** A PEM or DER key, certificate, CSR or certificate bundle. */
  pem: { bytes: 1 * MiB, kind: 'a key or certificate file', advice: CHECK_FILE },
  /** A CRL lists every revoked serial of its CA, so it may be much larger than a certificate. */
  crl: { bytes: 32 * MiB, kind: 'a CRL', advice: CHECK_FILE },
  /** The inventory of `contract --batch`: tens of thousands of instances. */
  inventory: {
    bytes: 64 * MiB,
    kind: 'an inventory',
    advice: 'split the fleet into several inventories',
  },
  /** se-checksums.txt[.enc]: a few hash lines. */
  record: { bytes: 1 * MiB, kind: 'an attestation record', advice: CHECK_FILE },
  /** se-signature.bin: one RSA signature. */
  signature: { bytes: 64 * KiB, kind: 'a signature', advice: CHECK_FILE },
  /** Reference values: one hash line per image part. */
  reference: { bytes: 1 * MiB, kind: 'a reference-values file', advice: CHECK_FILE },
  /** A seed, passphrase or API key. */
  secret: { bytes: 64 * KiB, kind: 'a secret (seed, passphrase, API key)', advice: CHECK_FILE },
  /** KEY=VALUE lines for a section's environment. */
  envValues: { bytes: 1 * MiB, kind: 'an env-values file', advice: CHECK_FILE },
  /** The IBM Secure Execution header a bare-metal initdata carries (`initdata build --se-header`). */
  seHeader: { bytes: 1 * MiB, kind: 'a Secure Execution header', advice: CHECK_FILE },
  /** A Kubernetes manifest (a Pod, a workload kind, a ConfigMap) for initdata, policies, boots. */
  manifest: { bytes: 4 * MiB, kind: 'a Kubernetes manifest', advice: CHECK_FILE },
  /** An initdata annotation value: base64 of gzip of a TOML document holding user data. */
  initdata: { bytes: 12 * MiB, kind: 'initdata', advice: CHECK_FILE },
  /** A Rego policy template (`policy generate --template`). */
  policyTemplate: { bytes: 1 * MiB, kind: 'a policy template', advice: CHECK_FILE },
  /** A secret to seal, or a sealed secret (`secrets seal`/`unseal`). */
  sealedSecret: { bytes: 1 * MiB, kind: 'a secret to seal or a sealed secret', advice: CHECK_FILE },
  /** A configuration file of a tool hpvs-ctl runs (the emulator's containers.conf). */
  config: { bytes: 1 * MiB, kind: 'a configuration file', advice: CHECK_FILE },
  /** IBM's certificate download JSON (`certs get --from`): one PEM per image version. */
  certificateDownload: { bytes: 4 * MiB, kind: 'a certificate download', advice: CHECK_FILE },
  /** A NoCloud seed image (`cidata`): user data, meta-data and network-config in an ISO. */
  seedImage: { bytes: 32 * MiB, kind: 'a seed image', advice: CHECK_FILE },
  /** An image list (`image --from`): IBM Cloud's answer for every image of an account. */
  imageList: { bytes: 32 * MiB, kind: 'an image list', advice: CHECK_FILE },
} as const satisfies Record<string, InputLimit>;

/**
 * A folder to archive (`archive`, `workload --compose/--play`, `init`): its files all end up in
 * one section as base64 of a compressed tar, so more than this cannot fit in user data anyway.
 */
export const FOLDER_LIMITS = {
  bytes: 64 * MiB,
  entries: 10_000,
  advice: 'archive only what the workload needs (keep large files in the container image)',
} as const;

/**
 * A folder of attestation bundles (`attestation verify --batch`): each file has its own limit
 * above; these bound the whole fleet, since every bundle is held until the report.
 */
export const RECORD_BATCH_LIMITS = {
  bytes: 512 * MiB,
  bundles: 10_000,
  advice: 'verify the fleet in several folders',
} as const;

/** 4194304 → "4 MiB". */
export function formatBytes(bytes: number): string {
  if (bytes % MiB === 0) return `${bytes / MiB} MiB`;
  if (bytes % KiB === 0) return `${bytes / KiB} KiB`;
  return `${bytes} bytes`;
}

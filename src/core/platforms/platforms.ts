import type { TokenPrefix } from '../crypto/section-token.js';

/**
 * IBM's runtime family (SPEC-IBM A1): one row per platform decides everything that differs
 * between them, so no command compares platform names itself. There is deliberately no
 * default platform: IBM's empty value mixes the CCRT schema, the HPVS certificate and the
 * `hyper-protect-basic` prefix (A1.6).
 */

export const PLATFORM_NAMES = ['hpvs', 'ccrt', 'ccrv', 'ccco'] as const;
export type PlatformName = (typeof PLATFORM_NAMES)[number];

export type WorkloadKind = 'compose' | 'play' | 'confidential-containers';

/** The published contract schema a platform's runtime validates with. */
export interface PlatformSchema {
  /** IBM's file name, for messages and the README. */
  published: string;
  /** Whether hpvs-ctl's own validator reproduces it. */
  supported: boolean;
  /** Which of hpvs-ctl's validators applies: the 1.0.116 family, or coco (confidential containers). */
  validators: 'hpse' | 'coco';
}

export interface Platform {
  name: PlatformName;
  product: string;
  /** A few words for lists of platforms in messages. */
  summary: string;
  /** contract-go since v2.29.0: `contract-basic` for ccrt and ccrv, else `hyper-protect-basic`. */
  tokenPrefix: TokenPrefix;
  schema: PlatformSchema;
  /** The workload kinds the platform's schema allows (A1.2). */
  workloadKinds: readonly WorkloadKind[];
  /** Whether env.logging is required (optional on ccco only). */
  loggingRequired: boolean;
  /**
   * Files under templates/ a starter contract for this platform is made from: all of them in
   * `workload` and `env`; where they only go together within a deployment variant (ccco: peer
   * pod or bare metal, whose sections must agree on volumes), `variants` says which, and the
   * first variant is the one the platform's plain name means. (Written out rather than named,
   * so the public `Platform` type reaches no further named type.)
   */
  templates: {
    workload: readonly string[];
    env: readonly string[];
    variants?: Readonly<Record<string, { workload: readonly string[]; env: readonly string[] }>>;
  };
  /**
   * Subject CNs of IBM's encryption certificates for this platform (A4.1, A4.6). One CN can
   * belong to several platforms: IBM reuses certificates across them.
   */
  certificateSubjects: readonly string[];
}

/** Workload and env templates that go together. */
export interface TemplateSet {
  workload: readonly string[];
  env: readonly string[];
}

const HPCR_CN = 'Hyper Protect Container Runtime Contract Encryption';
const CCRT_CN = 'Container Runtime Contract Encryption';

export const PLATFORMS: Readonly<Record<PlatformName, Platform>> = {
  hpvs: {
    name: 'hpvs',
    summary: 'HPVS for VPC, deprecated',
    product: 'IBM Cloud Hyper Protect Virtual Servers for VPC (deprecated for new instances)',
    tokenPrefix: 'hyper-protect-basic',
    schema: { published: 'hpse-contract-schema-1.0.116.json', supported: true, validators: 'hpse' },
    workloadKinds: ['compose', 'play', 'confidential-containers'],
    loggingRequired: true,
    templates: {
      workload: ['workload-compose.yaml', 'workload-play.yaml'],
      env: ['env-logrouter.yaml', 'env-syslog.yaml'],
    },
    certificateSubjects: ['contract-decryption', HPCR_CN, CCRT_CN],
  },
  ccrt: {
    name: 'ccrt',
    summary: 'on-prem KVM and LinuxONE',
    product: 'IBM Confidential Computing Container Runtime (on-prem KVM and LinuxONE)',
    tokenPrefix: 'contract-basic',
    schema: { published: 'hpse-contract-schema-1.0.116.json', supported: true, validators: 'hpse' },
    workloadKinds: ['compose', 'play', 'confidential-containers'],
    loggingRequired: true,
    templates: {
      workload: ['workload-compose.yaml', 'workload-play.yaml'],
      env: ['env-syslog.yaml'],
    },
    certificateSubjects: [HPCR_CN, CCRT_CN],
  },
  ccrv: {
    name: 'ccrv',
    summary: 'Red Hat virtualization',
    product: 'IBM Confidential Computing Container Runtime for Red Hat Virtualization Solutions',
    tokenPrefix: 'contract-basic',
    schema: {
      published: 'hpse-contract-schema-1.0.116-rhel.json',
      supported: true,
      validators: 'hpse',
    },
    workloadKinds: ['play', 'confidential-containers'],
    loggingRequired: true,
    templates: { workload: ['workload-play.yaml'], env: ['env-syslog.yaml'] },
    certificateSubjects: ['Contract Encryption for Confidential Container Runtime', CCRT_CN],
  },
  ccco: {
    name: 'ccco',
    summary: 'OpenShift confidential containers',
    product: 'IBM Confidential Computing Containers for Red Hat OpenShift Container Platform',
    tokenPrefix: 'hyper-protect-basic',
    schema: {
      published: 'hpse-contract-schema-coco-1.0.93-rhel.json',
      supported: true,
      validators: 'coco',
    },
    workloadKinds: ['play', 'compose', 'confidential-containers'],
    loggingRequired: false,
    templates: {
      workload: ['workload-ccco-peerpod.yaml', 'workload-ccco-bmtl.yaml'],
      env: [
        'env-ccco.yaml',
        'env-ccco-syslog.yaml',
        'env-ccco-logrouter.yaml',
        'env-ccco-bmtl.yaml',
      ],
      variants: {
        peerpod: {
          workload: ['workload-ccco-peerpod.yaml'],
          env: ['env-ccco.yaml', 'env-ccco-syslog.yaml', 'env-ccco-logrouter.yaml'],
        },
        bmtl: { workload: ['workload-ccco-bmtl.yaml'], env: ['env-ccco-bmtl.yaml'] },
      },
    },
    certificateSubjects: [
      'Contract Encryption for Confidential Containers',
      'Hyper Protect Confidential Container Contract Encryption',
    ],
  },
};

/** Names IBM used before (or uses for templates only), and the platform each means (A1.1). */
const ALIASES: Readonly<Record<string, { platform: PlatformName; templateVariant?: string }>> = {
  'hpcr-rhvs': { platform: 'ccrv' },
  'hpcc-peerpod': { platform: 'ccco', templateVariant: 'peerpod' },
  'ccco-peerpod': { platform: 'ccco', templateVariant: 'peerpod' },
  'ccco-bmtl': { platform: 'ccco', templateVariant: 'bmtl' },
};

export interface PlatformChoice {
  platform: Platform;
  /** The alias the user wrote, when it was not the canonical name. */
  alias?: string;
  /** `peerpod` or `bmtl` for the CCCO template selectors. */
  templateVariant?: string;
}

/** Looks a platform up by its canonical name or an alias, case-insensitively. */
export function findPlatform(text: string): PlatformChoice | undefined {
  const key = text.toLowerCase();
  if ((PLATFORM_NAMES as readonly string[]).includes(key)) {
    const platform = PLATFORMS[key as PlatformName];
    return key === text ? { platform } : { platform, alias: text };
  }
  const alias = Object.hasOwn(ALIASES, key) ? ALIASES[key] : undefined;
  if (alias === undefined) return undefined;
  return {
    platform: PLATFORMS[alias.platform],
    alias: text,
    ...(alias.templateVariant ? { templateVariant: alias.templateVariant } : {}),
  };
}

/**
 * The templates that go together for a platform choice: the variant an alias chose
 * (`ccco-bmtl`), else the platform's first variant, else all of its templates.
 */
export function templatesFor(choice: PlatformChoice): TemplateSet {
  const { templates } = choice.platform;
  const variants = templates.variants;
  if (variants === undefined) return { workload: templates.workload, env: templates.env };
  const name = choice.templateVariant ?? Object.keys(variants)[0];
  const set = name === undefined ? undefined : variants[name];
  return set ?? { workload: templates.workload, env: templates.env };
}

/** `hpvs, ccrt, ccrv, ccco` with what each is, for usage errors and help. */
export function describePlatforms(): string {
  return PLATFORM_NAMES.map((name) => `${name} (${PLATFORMS[name].summary})`).join(', ');
}

/**
 * The platforms whose IBM encryption certificates carry this subject CN; empty when the CN is
 * not one of IBM's (a test or self-made certificate), so nothing can be said about it.
 */
export function platformsOfSubject(commonName: string): PlatformName[] {
  return PLATFORM_NAMES.filter((name) => PLATFORMS[name].certificateSubjects.includes(commonName));
}

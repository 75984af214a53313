// Types of story.mjs, for the tests that import it.
type Text = string | number | undefined;
type Texts = Text | readonly Text[];
type Switch = boolean | undefined;
/** A step: its options to an argument list, and what it can write. */
type Step<Options> = ((options?: Options) => string[]) & {
  /** The command's words, e.g. ['emulator', 'boot']. */
  readonly words: readonly string[];
  /** Every flag it can write, e.g. '--out-dir'. */
  readonly flags: readonly string[];
};

interface TrustOptions {
  chain?: Texts;
  root?: Texts;
  crl?: Texts;
  noCrl?: Switch;
  partialChain?: Switch;
  at?: Text;
}

interface SectionOptions {
  envValuesFile?: Text;
  platform?: Text;
  encrypt?: Switch;
  certVersion?: Text;
  cert?: Text;
  allowExpired?: Switch;
  out?: Text;
}

export interface Story {
  emulatorInit: Step<{
    state?: Text;
    platform?: Text;
    keyBits?: Text;
    imageVersion?: Text;
    force?: Switch;
  }>;
  keysGenerate: Step<{
    outDir?: Text;
    name?: Text;
    bits?: Text;
    passphraseFile?: Text;
    force?: Switch;
    json?: Switch;
  }>;
  certsSyslog: Step<{
    hostname?: Text;
    ip?: Text;
    outDir?: Text;
    days?: Text;
    bits?: Text;
    force?: Switch;
    json?: Switch;
  }>;
  workload: Step<
    SectionOptions & {
      compose?: Text;
      play?: Text;
      playResources?: Text;
      playTemplates?: Text;
      auths?: Text;
      images?: Text;
      volume?: Text;
      mount?: Text;
      filesystem?: Text;
      seedFile?: Text;
      previousSeedFile?: Text;
      /** KEY=VALUE, one --env each. */
      env?: Texts;
    }
  >;
  env: Step<
    SectionOptions & {
      syslogHost?: Text;
      syslogPort?: Text;
      syslogCa?: Text;
      syslogCert?: Text;
      syslogKey?: Text;
      logRouterHost?: Text;
      logRouterKeyFile?: Text;
      logRouterPort?: Text;
      logdnaHost?: Text;
      logdnaKeyFile?: Text;
      logdnaPort?: Text;
      volume?: Text;
      seedFile?: Text;
      previousSeedFile?: Text;
      kmsFile?: Text;
      auths?: Text;
      signingKey?: Text;
      /** KEY=VALUE, one --env each. */
      env?: Texts;
    }
  >;
  contract: Step<{
    in?: Text;
    workload?: Text;
    env?: Text;
    attestationKey?: Text;
    platform?: Text;
    encrypt?: Switch;
    certVersion?: Text;
    cert?: Text;
    allowExpired?: Switch;
    signKey?: Text;
    signPassphraseFile?: Text;
    expiryDays?: Text;
    caCert?: Text;
    caKey?: Text;
    caPassphraseFile?: Text;
    csr?: Text;
    subject?: Text;
    signingCertOut?: Text;
    prefix?: Text;
    sectionStyle?: Text;
    json?: Switch;
    out?: Text;
    batch?: Text;
    outDir?: Text;
    force?: Switch;
  }>;
  validate: Step<{
    file?: Text;
    section?: Text;
    platform?: Text;
    networkConfig?: Switch;
    json?: Switch;
  }>;
  sign: Step<{
    userData?: Text;
    key?: Text;
    passphraseFile?: Text;
    out?: Text;
    json?: Switch;
  }>;
  verify: Step<{
    userData?: Text;
    signingKey?: Text;
    decryptKey?: Text;
    passphraseFile?: Text;
    caCert?: Text;
    json?: Switch;
  }>;
  initdataBuild: Step<{
    contract?: Text;
    seHeader?: Text;
    allowPlaintext?: Switch;
    pod?: Text;
    out?: Text;
    json?: Switch;
  }>;
  encrypt: Step<
    TrustOptions & {
      file?: Text;
      platform?: Text;
      certVersion?: Text;
      cert?: Text;
      allowExpired?: Switch;
      format?: Text;
      out?: Text;
      json?: Switch;
    }
  >;
  decrypt: Step<{
    file?: Text;
    key?: Text;
    passphraseFile?: Text;
    out?: Text;
    json?: Switch;
  }>;
  cidata: Step<{
    userData?: Text;
    networkConfig?: Text;
    metaData?: Text;
    platform?: Text;
    out?: Text;
    json?: Switch;
  }>;
  luksPassphrase: Step<{
    envSeedFile?: Text;
    workloadSeedFile?: Text;
    thirdSeedFile?: Text;
    out?: Text;
  }>;
  emulatorBoot: Step<{
    userData?: Text;
    initdata?: Text;
    pod?: Text;
    cidata?: Text;
    state?: Text;
    /** [name=]file, one --volume-image each. */
    volumeImage?: Texts;
    fastKdf?: Switch;
    outDir?: Text;
    runtime?: Text;
    podmanConfig?: Text;
    keepRunning?: Switch;
  }>;
  emulatorStop: Step<{ outDir?: Text; state?: Text }>;
  logServer: Step<{
    port?: Text;
    host?: Text;
    ca?: Text;
    cert?: Text;
    key?: Text;
    out?: Text;
  }>;
  attestationVerify: Step<
    TrustOptions & {
      record?: Text;
      key?: Text;
      passphraseFile?: Text;
      signature?: Text;
      cert?: Text;
      contract?: Text;
      cidata?: Text;
      reference?: Text;
      batch?: Text;
      json?: Switch;
    }
  >;
  attestationDecrypt: Step<{
    record?: Text;
    key?: Text;
    passphraseFile?: Text;
    out?: Text;
    json?: Switch;
  }>;
}

export declare const story: Story;
export declare function recordFiles(folder: string): { record: string; signature: string };
export declare function emulatorChain(state: string): {
  cert: string;
  chain: string;
  root: string;
  crl: string[];
};
/** The options of a step, e.g. `StepOptions<'contract'>`. */
export type StepOptions<Name extends keyof Story> = NonNullable<Parameters<Story[Name]>[0]>;

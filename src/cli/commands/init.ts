import { isIP } from 'node:net';
import { join } from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { Option } from '@commander-js/extra-typings';
import type { ProviderProjectRequest } from '../../app/start-project.js';
import type { CccoDeployerRequest, CccoProviderRequest } from '../../app/ccco-starter-project.js';
import type { AuditorRequest, DeployerRequest, LoggingRequest } from '../../app/starter-project.js';
import { HpvsError } from '../../core/errors.js';
import { note, warn } from '../../node/console.js';
import { noRuntimeChosen } from '../../node/load-keys.js';
import { systemRandom } from '../../node/random.js';
import { readSecret } from '../../node/read-secret.js';
import { writeStdout } from '../../node/write-output.js';
import {
  PLATFORMS,
  templatesFor,
  type PlatformChoice,
  type PlatformName,
} from '../../core/platforms/platforms.js';
import { examples } from './help-examples.js';
import { cliNextStep } from './init-next-steps.js';
import {
  assertSchemaSupported,
  certVersionOption,
  notePlatformAlias,
  platformOption,
} from './platform-options.js';
import { terminalSafe } from '../../core/text/terminal-safe-text.js';

type Persona = 'provider' | 'deployer' | 'auditor';

interface InitFlags {
  persona?: Persona;
  outDir?: string;
  compose?: string;
  play?: string;
  volume?: string;
  cert?: string;
  platform?: PlatformChoice;
  certVersion?: string;
  encrypt?: true;
  logging?: 'syslog' | 'logrouter' | 'none';
  hostKeyDoc?: string;
  logHost?: string;
  logPort?: string;
  iamApiKeyFile?: string;
  signingKey?: 'generate' | 'none';
  passphraseFile?: string;
  bits: '2048' | '3072' | '4096';
  force?: true;
}

/** An answer comes from its flag, else from a prompt on a terminal, else it is reported missing. */
interface Asker {
  interactive: boolean;
  missing: string[];
  ask<T>(flag: string, value: T | undefined, prompt: () => Promise<T>): Promise<T | undefined>;
}

function makeAsker(interactive: boolean): Asker {
  const missing: string[] = [];
  return {
    interactive,
    missing,
    async ask(flag, value, prompt) {
      if (value !== undefined) return value;
      if (interactive) return prompt();
      missing.push(flag);
      return undefined;
    },
  };
}

type Prompts = typeof import('./prompts.js');

const VOLUME_NAME = /^[a-z_][a-z0-9-_]*$/;
const MOUNT = /^(\/[^/]+)+$/;

/** `--volume NAME[:MOUNT]` or `none`; the mount defaults to /mnt/NAME. */
function parseVolume(spec: string): { name: string; mount: string } | undefined {
  if (spec === 'none') return undefined;
  const colon = spec.indexOf(':');
  const name = colon === -1 ? spec : spec.slice(0, colon);
  const mount = colon === -1 ? `/mnt/${name}` : spec.slice(colon + 1);
  if (!VOLUME_NAME.test(name)) {
    throw new HpvsError(
      'USAGE',
      `invalid --volume "${spec}": the name must match ${VOLUME_NAME.source} (lower case, digits, - and _), e.g. data:/mnt/data, or none`,
    );
  }
  if (!MOUNT.test(mount)) {
    throw new HpvsError(
      'USAGE',
      `invalid --volume "${spec}": the mount point must be an absolute path like /mnt/data`,
    );
  }
  return { name, mount };
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) {
    throw new HpvsError('USAGE', `invalid --log-port "${text}": expected a port from 1 to 65535`);
  }
  return port;
}

async function checkHost(host: string): Promise<string> {
  const { isDnsName } = await import('../../core/pki/syslog-certificates.js');
  if (isIP(host) === 0 && !isDnsName(host)) {
    throw new HpvsError(
      'USAGE',
      `invalid --log-host "${host}": expected a host name like logs.example.com or an IP address`,
    );
  }
  return host;
}

/** Turns a parse function into an inquirer `validate` callback showing the one-line message. */
function validator(check: (value: string) => unknown): (value: string) => Promise<string | true> {
  return async (value) => {
    try {
      await check(value);
      return true;
    } catch (error) {
      return error instanceof HpvsError ? error.message : String(error);
    }
  };
}

export function registerInit(program: Command): void {
  program
    .command('init')
    .description(
      'Start a project for one persona: asks what it needs (or takes every answer as a flag) and writes the files with the same builders as the other commands. provider: a compose or pod folder and workload.yaml; deployer: env.yaml with logging (syslog certificates or IBM Cloud Logs), a volume seed and a signing key pair; auditor: the attestation key pair. With --platform ccco (ccco-peerpod, ccco-bmtl): the provider gets the confidential-containers workload (sealed-secret keys, the agent policy of the pod), the deployer an env with optional logging (and the host key document on bare metal). Without a terminal, every missing answer is reported.',
    )
    .addOption(
      new Option('--persona <persona>', 'who you are in the contract flow').choices([
        'provider',
        'deployer',
        'auditor',
      ] as const),
    )
    .option('--out-dir <dir>', 'folder for the files (created mode 0700 if missing)')
    .option(
      '--compose <dir>',
      'provider: the compose folder to archive; created from the starter template if missing',
    )
    .option(
      '--play <dir>',
      'provider: a pod folder instead (created from the template if missing; ccco: an existing folder whose pod.yaml the agent policy admits, the starter pod if not given)',
    )
    .option(
      '--volume <spec>',
      'provider/deployer: data volume NAME[:MOUNT] (deployer: NAME), or none',
    )
    .addOption(
      platformOption(
        'the runtime the project is for: its schema checks the sections and decides which workload kinds it may have',
      ),
    )
    .option(
      '--encrypt',
      "provider: also write workload.enc, encrypted with IBM's certificate for --platform",
    )
    .addOption(certVersionOption())
    .option(
      '--cert <path>',
      'provider: also write workload.enc encrypted for this HPCR certificate',
    )
    .addOption(
      new Option(
        '--logging <target>',
        'deployer: where the instance sends its logs (none: ccco only, the default there)',
      ).choices(['syslog', 'logrouter', 'none'] as const),
    )
    .option('--log-host <host>', 'deployer: the syslog server or IBM Cloud Logs ingestion host')
    .option('--log-port <port>', 'deployer: its port (default 6514 for syslog, 443 for logrouter)')
    .option(
      '--iam-api-key-file <path>',
      'deployer, logrouter: file holding the IAM API key (or set HPVS_IAM_API_KEY)',
    )
    .option(
      '--host-key-doc <file>',
      'deployer, ccco-bmtl: the IBM Z host key document (HKD certificate) of the host',
    )
    .addOption(
      new Option(
        '--signing-key <action>',
        'deployer: generate a contract signing key pair, or none',
      ).choices(['generate', 'none'] as const),
    )
    .option(
      '--passphrase-file <path>',
      'auditor: encrypt the attestation private key with this passphrase',
    )
    .addOption(
      new Option('--bits <bits>', 'RSA size of generated keys')
        .choices(['2048', '3072', '4096'] as const)
        .default('4096' as const),
    )
    .option('--force', 'replace files that already exist')
    .addHelpText(
      'after',
      examples(
        'hpvs-ctl init',
        'hpvs-ctl init --persona provider --out-dir provider --compose provider/compose --volume data:/mnt/data',
        'hpvs-ctl init --persona provider --platform ccrv --encrypt --out-dir provider --play provider/pod --volume none',
        'hpvs-ctl init --persona deployer --out-dir deployer --logging syslog --log-host logs.example.com --volume data --signing-key generate',
        'hpvs-ctl init --persona provider --platform ccco --out-dir provider --play provider/pod',
        'hpvs-ctl init --persona deployer --platform ccco-bmtl --out-dir deployer --host-key-doc HKD-3931-0123456.crt --signing-key generate',
        'hpvs-ctl init --persona auditor --out-dir auditor',
      ),
    )
    .action(async (options) => {
      await runInit(options as InitFlags);
    });
}

async function runInit(flags: InitFlags): Promise<void> {
  notePlatformAlias(flags.platform);
  const platform = flags.platform?.platform.name;
  assertSchemaSupported(platform);
  if (platform !== undefined && PLATFORMS[platform].templates.workload.length === 0) {
    throw new HpvsError(
      'USAGE',
      `init has no starter project for ${platform} yet; build its contract with workload, env and contract --platform ${platform}, then initdata build`,
    );
  }
  if (flags.certVersion !== undefined && platform === undefined) {
    throw new HpvsError('USAGE', '--cert-version picks a certificate of the --platform given');
  }
  if (flags.encrypt && flags.cert === undefined && platform === undefined) {
    throw noRuntimeChosen();
  }
  const interactive = process.stdin.isTTY === true && process.stdout.isTTY === true;
  const prompts: Prompts | undefined = interactive ? await import('./prompts.js') : undefined;
  const asker = makeAsker(interactive);
  const persona = await asker.ask('--persona <provider|deployer|auditor>', flags.persona, () =>
    prompts!.select<Persona>({
      message: 'Which persona are you?',
      choices: [
        {
          value: 'provider',
          name: 'Workload Provider: I package the containers (workload section)',
        },
        {
          value: 'deployer',
          name: 'Workload Deployer: I own logging, env seed and signing (env section)',
        },
        { value: 'auditor', name: 'Auditor: I verify attestation records (attestation key pair)' },
      ],
    }),
  );
  const outDir = await asker.ask('--out-dir <dir>', flags.outDir, () =>
    prompts!.input({ message: 'Output folder:', default: persona ?? 'hpvs', required: true }),
  );
  if (persona === undefined || outDir === undefined) {
    throw missingFlags([...asker.missing, 'and the flags of the persona']);
  }
  const ccco = platform === 'ccco' ? flags.platform : undefined;
  const request =
    persona === 'provider'
      ? ccco === undefined
        ? await providerRequest(flags, asker, prompts, outDir)
        : cccoProviderRequest(flags, ccco)
      : persona === 'deployer'
        ? await deployerRequest(flags, asker, prompts, ccco)
        : await auditorRequest(flags, prompts);
  if (asker.missing.length > 0 || request === undefined) throw missingFlags(asker.missing);
  const { startProject } = await import('../../app/start-project.js');
  const project = await startProject(request, {
    outDir,
    force: flags.force === true,
    platform,
    from: [flags.cert, flags.iamApiKeyFile, flags.passphraseFile, flags.hostKeyDoc],
    now: new Date(),
    random: systemRandom,
    bits: Number(flags.bits),
    onWarning: warn,
  });
  await writeStdout(project.written.map((path) => `${terminalSafe(path)}\n`).join(''));
  for (const step of project.nextSteps) note(`next: ${cliNextStep(step)}`);
}

function missingFlags(missing: string[]): HpvsError {
  return new HpvsError(
    'USAGE',
    `no terminal to ask on, so give every answer as a flag; missing: ${missing.join(', ')}`,
  );
}

async function providerRequest(
  flags: InitFlags,
  asker: Asker,
  prompts: Prompts | undefined,
  outDir: string,
): Promise<ProviderProjectRequest | undefined> {
  if (flags.compose !== undefined && flags.play !== undefined) {
    throw new HpvsError('USAGE', 'give either --compose or --play, not both');
  }
  const platform = flags.platform?.platform.name;
  const kind = workloadKind(flags, platform);
  const folder = await asker.ask(
    '--compose <dir> (or --play <dir>)',
    flags.compose ?? flags.play,
    () =>
      prompts!.input({
        message: `${kind === 'play' ? 'Pod' : 'Compose'} folder (created from the starter template if it does not exist):`,
        default: join(outDir, kind === 'play' ? 'pod' : 'compose'),
        required: true,
      }),
  );
  const volumeSpec = await asker.ask('--volume <name[:mount]|none>', flags.volume, () =>
    prompts!.input({
      message: 'Data volume as NAME:MOUNT (none for no volume):',
      default: 'data:/mnt/data',
      validate: validator(parseVolume),
    }),
  );
  if (folder === undefined || volumeSpec === undefined) return undefined;
  const volume = parseVolume(volumeSpec);
  const encrypts =
    flags.encrypt === true || flags.cert !== undefined || flags.certVersion !== undefined;
  return {
    persona: 'provider',
    folder,
    kind,
    volume,
    encryption: encrypts ? { certFile: flags.cert, certVersion: flags.certVersion } : undefined,
  };
}

/**
 * ccco's starter is a pod run as a confidential container: its agent policy is made from the
 * pod, so a compose folder has no place, and the variant fixes the volumes.
 */
function cccoProviderRequest(flags: InitFlags, ccco: PlatformChoice): CccoProviderRequest {
  if (flags.compose !== undefined) {
    throw new HpvsError(
      'USAGE',
      '--compose is not taken with --platform ccco: its starter is a pod (--play <dir> with pod.yaml, or the starter pod) whose agent policy init generates',
    );
  }
  if (flags.volume !== undefined) throw cccoVolumeRefused();
  const encrypts =
    flags.encrypt === true || flags.cert !== undefined || flags.certVersion !== undefined;
  return {
    persona: 'ccco-provider',
    templates: templatesFor(ccco),
    podFolder: flags.play,
    encryption: encrypts ? { certFile: flags.cert, certVersion: flags.certVersion } : undefined,
  };
}

/**
 * `--compose` or `--play`, else the platform's first kind of the two: ccrv runs no compose
 * workload, so its starter is a pod folder.
 */
function workloadKind(flags: InitFlags, platform: PlatformName | undefined): 'compose' | 'play' {
  const allowed = platform === undefined ? undefined : PLATFORMS[platform].workloadKinds;
  const asked =
    flags.play !== undefined ? 'play' : flags.compose !== undefined ? 'compose' : undefined;
  if (asked !== undefined && allowed !== undefined && !allowed.includes(asked)) {
    throw new HpvsError(
      'USAGE',
      `${platform} runs no ${asked} workload (it takes ${allowed.join(', ')}); use --${asked === 'compose' ? 'play' : 'compose'}`,
    );
  }
  if (asked !== undefined) return asked;
  return allowed === undefined || allowed.includes('compose') ? 'compose' : 'play';
}

async function deployerRequest(
  flags: InitFlags,
  asker: Asker,
  prompts: Prompts | undefined,
  ccco: PlatformChoice | undefined,
): Promise<DeployerRequest | CccoDeployerRequest | undefined> {
  // logging is optional on ccco only: without a flag or a terminal, it forwards none
  const logging = await asker.ask(
    '--logging <syslog|logrouter>',
    flags.logging ?? (ccco !== undefined && !asker.interactive ? 'none' : undefined),
    () =>
      prompts!.select<'syslog' | 'logrouter' | 'none'>({
        message: 'Where should the instance send its logs?',
        choices: [
          {
            value: 'syslog',
            name: 'my rsyslog server over mutual TLS (certificates are generated)',
          },
          { value: 'logrouter', name: 'IBM Cloud Logs (needs an IAM API key)' },
          ...(ccco === undefined
            ? []
            : [
                {
                  value: 'none' as const,
                  name: "nowhere: the containers' output stays with OpenShift (oc logs)",
                },
              ]),
        ],
      }),
  );
  if (logging === 'none' && ccco === undefined) {
    throw new HpvsError(
      'USAGE',
      '--logging none: only ccco runs without logging; choose syslog or logrouter',
    );
  }
  let loggingRequest: LoggingRequest | undefined;
  // asked also while the backend is missing, so every missing flag is reported at once
  if (logging !== 'none') loggingRequest = await loggingDetails(flags, asker, prompts, logging);
  let volumeSpec: string | undefined;
  if (ccco === undefined) {
    volumeSpec = await asker.ask('--volume <name|none>', flags.volume, () =>
      prompts!.input({
        message: 'Data volume name, the same as in the workload (none for no volume):',
        default: 'data',
        validate: validator(parseVolume),
      }),
    );
  } else if (flags.volume !== undefined) {
    throw cccoVolumeRefused();
  }
  const signing = await asker.ask('--signing-key <generate|none>', flags.signingKey, async () =>
    (await prompts!.confirm({ message: 'Generate a contract signing key pair?', default: true }))
      ? ('generate' as const)
      : ('none' as const),
  );
  let hostKeyDoc: string | undefined;
  if (ccco !== undefined && ccco.templateVariant === 'bmtl') {
    hostKeyDoc = await asker.ask('--host-key-doc <file>', flags.hostKeyDoc, () =>
      prompts!.input({
        message: 'IBM Z host key document (HKD certificate file) of the host:',
        required: true,
      }),
    );
    if (hostKeyDoc === undefined) return undefined;
  } else if (flags.hostKeyDoc !== undefined) {
    throw new HpvsError(
      'USAGE',
      '--host-key-doc is for ccco bare metal (--platform ccco-bmtl) only',
    );
  }
  if (!logging || !signing || (loggingRequest === undefined && logging !== 'none')) {
    return undefined;
  }
  if (ccco !== undefined) {
    return {
      persona: 'ccco-deployer',
      templates: templatesFor(ccco),
      logging: loggingRequest,
      signingKey: signing === 'generate',
      hostKeyDocFile: hostKeyDoc,
    };
  }
  if (!volumeSpec) return undefined;
  const volume = parseVolume(volumeSpec);
  return {
    persona: 'deployer',
    logging: loggingRequest!,
    volume: volume && { name: volume.name },
    signingKey: signing === 'generate',
  };
}

/** Host, port and (IBM Cloud Logs) the IAM API key of the chosen logging backend. */
async function loggingDetails(
  flags: InitFlags,
  asker: Asker,
  prompts: Prompts | undefined,
  logging: 'syslog' | 'logrouter' | undefined,
): Promise<LoggingRequest | undefined> {
  const host = await asker.ask('--log-host <host>', flags.logHost, () =>
    prompts!.input({
      message:
        logging === 'logrouter'
          ? 'IBM Cloud Logs ingestion host:'
          : 'Syslog server host name or IP:',
      required: true,
      validate: validator(checkHost),
    }),
  );
  const defaultPort = logging === 'logrouter' ? '443' : '6514';
  const port = flags.logPort ?? (asker.interactive ? undefined : defaultPort);
  const portText = await asker.ask('--log-port <port>', port, () =>
    prompts!.input({ message: 'Port:', default: defaultPort, validate: validator(parsePort) }),
  );
  let iamApiKey: string | undefined;
  if (logging === 'logrouter') {
    if (flags.iamApiKeyFile !== undefined || process.env['HPVS_IAM_API_KEY'] !== undefined) {
      const { secretText } = await import('../../app/input-readers.js');
      iamApiKey = secretText(
        await readSecret({
          file: flags.iamApiKeyFile,
          envVar: 'HPVS_IAM_API_KEY',
          what: 'IAM API key',
        }),
        flags.iamApiKeyFile ?? '$HPVS_IAM_API_KEY',
        'IAM API key',
      );
    } else {
      iamApiKey = await asker.ask('--iam-api-key-file <path>', undefined, () =>
        prompts!.password({ message: 'IAM API key (not shown):', mask: true }),
      );
    }
  }
  if (!logging || !host || !portText || (logging === 'logrouter' && !iamApiKey)) return undefined;
  await checkHost(host);
  return logging === 'syslog'
    ? { type: 'syslog', host, port: parsePort(portText) }
    : { type: 'logrouter', host, port: parsePort(portText), iamApiKey: iamApiKey! };
}

function cccoVolumeRefused(): HpvsError {
  return new HpvsError(
    'USAGE',
    '--volume is not taken with --platform ccco: the variant decides (ccco-bmtl: the data volume at /mnt/data, ccco-peerpod: none)',
  );
}

async function auditorRequest(
  flags: InitFlags,
  prompts: Prompts | undefined,
): Promise<AuditorRequest> {
  let passphrase: Uint8Array | undefined;
  if (flags.passphraseFile !== undefined) {
    passphrase = await readSecret({ file: flags.passphraseFile, what: 'private key passphrase' });
  } else if (prompts) {
    const protect = await prompts.confirm({
      message: 'Protect the attestation private key with a passphrase?',
      default: true,
    });
    if (protect) {
      const first = await prompts.password({ message: 'Passphrase (not shown):', mask: true });
      const again = await prompts.password({ message: 'Repeat it:', mask: true });
      if (first !== again)
        throw new HpvsError('USAGE', 'the two passphrases differ; run init again');
      if (first.length === 0) throw new HpvsError('SECRET_INVALID', 'the passphrase is empty');
      passphrase = Buffer.from(first, 'utf8');
    }
  }
  return { persona: 'auditor', passphrase };
}

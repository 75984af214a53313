import type { Command } from '@commander-js/extra-typings';
import { HpvsError } from '../../core/errors.js';
import { readEnvAssignments } from '../../node/read-env-assignments.js';
import type { EnvSectionRequest } from '../../app/build-env-section.js';
import { examples } from './help-examples.js';
import {
  addSectionOutputOptions,
  checkSectionOutputOptions,
  checkVolumeFlags,
  volumeFiles,
  writeSection,
} from './section-output.js';

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^[0-9]+$/.test(value) || port < 1 || port > 65535) {
    throw new HpvsError('USAGE', `invalid port "${value}": expected a number from 1 to 65535`);
  }
  return port;
}

export function registerEnv(program: Command): void {
  const env = program
    .command('env')
    .description(
      'Build the env section (Workload Deployer): one logging target, the env half of a data volume, environment values and the contract signing key. Prints the section YAML, or with --cert its encrypted token.',
    )
    .option('--syslog-host <host>', 'syslog server (TLS, mutual authentication)')
    .option(
      '--syslog-port <n>',
      'syslog port (the runtime uses 514 when not given; TLS servers usually listen on 6514)',
      parsePort,
    )
    .option(
      '--syslog-ca <file>',
      'CA certificate(s) that signed the syslog server certificate (PEM)',
    )
    .option('--syslog-cert <file>', 'client certificate for the runtime (PEM)')
    .option(
      '--syslog-key <file>',
      'private key of the client certificate (PEM, not passphrase-protected)',
    )
    .option('--log-router-host <host>', 'IBM Cloud Logs ingestion host')
    .option('--log-router-key-file <file>', 'file holding the IAM API key for IBM Cloud Logs')
    .option('--log-router-port <n>', 'IBM Cloud Logs port (default 443)', parsePort)
    .option('--logdna-host <host>', 'legacy LogDNA host (deprecated: 2023 images only)')
    .option('--logdna-key-file <file>', 'file holding the LogDNA ingestion key')
    .option('--logdna-port <n>', 'LogDNA port', parsePort)
    .option('--volume <name>', 'name of the encrypted data volume (same name as in workload)')
    .option('--seed-file <file>', "file holding the env volume seed (the Workload Deployer's seed)")
    .option('--previous-seed-file <file>', 'file holding the previous env seed, when rotating')
    .option(
      '--kms-file <file>',
      'YAML list of HPCS key endpoints {apiKey, crn, type} for the volume',
    )
    .option(
      '--auths <file>',
      'YAML file: registry host -> {username, password} (overlays workload.auths)',
    )
    .option('--signing-key <file>', 'public key or certificate (PEM) of the contract signing key');
  addSectionOutputOptions(env)
    .addHelpText(
      'after',
      examples(
        'hpvs-ctl env --syslog-host logs.example.com --syslog-port 6514 --syslog-ca ca.crt --syslog-cert client.crt --syslog-key client.key --volume data --seed-file env.seed --out env.yaml',
        'hpvs-ctl env --log-router-host ingest.logs.cloud.ibm.com --log-router-key-file apikey.txt --cert encrypt.crt --out env.enc',
      ),
    )
    .action(async (options) => {
      checkSectionOutputOptions(options);
      const logging = loggingTarget(options);
      checkVolumeFlags(
        options.volume,
        options.seedFile,
        { '--kms-file': options.kmsFile, '--previous-seed-file': options.previousSeedFile },
        'env',
      );
      const env = await readEnvAssignments(options.env, options.envValuesFile);
      const [{ buildEnvSectionFromFiles }, { nodeInputReaders }] = await Promise.all([
        import('../../app/build-env-section.js'),
        import('../../app/input-readers.js'),
      ]);
      const volume = volumeFiles(options);
      const text = await buildEnvSectionFromFiles(
        {
          logging,
          volume: volume && { ...volume, kmsFile: options.kmsFile },
          env,
          authsFile: options.auths,
          signingKeyFile: options.signingKey,
          now: new Date(),
        },
        nodeInputReaders,
      );
      await writeSection('env', text, options, undefined, [
        options.envValuesFile,
        options.syslogCa,
        options.syslogCert,
        options.syslogKey,
        options.logRouterKeyFile,
        options.logdnaKeyFile,
        options.seedFile,
        options.previousSeedFile,
        options.kmsFile,
        options.auths,
        options.signingKey,
      ]);
    });
}

interface LoggingFlags {
  syslogHost?: string | undefined;
  syslogPort?: number | undefined;
  syslogCa?: string | undefined;
  syslogCert?: string | undefined;
  syslogKey?: string | undefined;
  logRouterHost?: string | undefined;
  logRouterKeyFile?: string | undefined;
  logRouterPort?: number | undefined;
  logdnaHost?: string | undefined;
  logdnaKeyFile?: string | undefined;
  logdnaPort?: number | undefined;
}

/** The one logging target the flags name, with every flag it needs. */
function loggingTarget(options: LoggingFlags): EnvSectionRequest['logging'] {
  const targets = [
    options.syslogHost && '--syslog-host',
    options.logRouterHost && '--log-router-host',
    options.logdnaHost && '--logdna-host',
  ].filter(Boolean);
  if (targets.length !== 1) {
    throw new HpvsError(
      'USAGE',
      targets.length === 0
        ? 'give one logging target: --syslog-host, --log-router-host (or the legacy --logdna-host)'
        : `give exactly one logging target, not ${targets.join(' and ')}`,
    );
  }
  const requireFlags = (flags: Record<string, string | undefined>, target: string) => {
    const missing = Object.entries(flags).filter(([, value]) => value === undefined);
    if (missing.length > 0) {
      throw new HpvsError('USAGE', `${target} needs ${missing.map(([name]) => name).join(', ')}`);
    }
  };
  if (options.syslogHost) {
    requireFlags(
      {
        '--syslog-ca': options.syslogCa,
        '--syslog-cert': options.syslogCert,
        '--syslog-key': options.syslogKey,
      },
      '--syslog-host',
    );
    return {
      syslog: {
        hostname: options.syslogHost,
        port: options.syslogPort,
        caFile: options.syslogCa!,
        certFile: options.syslogCert!,
        keyFile: options.syslogKey!,
      },
    };
  }
  if (options.logRouterHost) {
    requireFlags({ '--log-router-key-file': options.logRouterKeyFile }, '--log-router-host');
    return {
      logRouter: {
        hostname: options.logRouterHost,
        apiKeyFile: options.logRouterKeyFile!,
        port: options.logRouterPort,
      },
    };
  }
  requireFlags({ '--logdna-key-file': options.logdnaKeyFile }, '--logdna-host');
  return {
    logDNA: {
      hostname: options.logdnaHost!,
      ingestionKeyFile: options.logdnaKeyFile!,
      port: options.logdnaPort,
    },
  };
}

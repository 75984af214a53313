import type { Command } from '@commander-js/extra-typings';
import { parsePublicKeyOrCertificate, pemText } from '../../core/crypto/keys.js';
import { pemBlocks } from '../../core/crypto/pem-text.js';
import { checkSyslogMaterial } from '../../core/crypto/tls-material.js';
import { HpvsError } from '../../core/errors.js';
import { INPUT_LIMITS } from '../../node/input-limits.js';
import { readEnvAssignments } from '../../node/read-env-assignments.js';
import { readInput } from '../../node/read-input.js';
import { readSecret } from '../../node/read-secret.js';
import { examples } from './help-examples.js';
import {
  addSectionOutputOptions,
  checkSectionOutputOptions,
  checkVolumeFlags,
  readSeed,
  writeSection,
} from './section-output.js';

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^[0-9]+$/.test(value) || port < 1 || port > 65535) {
    throw new HpvsError('USAGE', `invalid port "${value}": expected a number from 1 to 65535`);
  }
  return port;
}

/**
 * The PEM blocks of a file and nothing else: files exported from PKCS#12 or printed by
 * `openssl x509 -text` carry headers the runtime's schema does not allow.
 */
function pemBlocksOnly(text: string): string {
  return `${pemBlocks(text)
    .map((block) => block.text)
    .join('\n')}\n`;
}

async function readPem(path: string, what: string): Promise<string> {
  return pemBlocksOnly(pemText(await readInput(path, what, INPUT_LIMITS.pem), path));
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
      const requireFlags = (flags: Record<string, unknown>, target: string) => {
        const missing = Object.entries(flags).filter(([, value]) => value === undefined);
        if (missing.length > 0) {
          throw new HpvsError(
            'USAGE',
            `${target} needs ${missing.map(([name]) => name).join(', ')}`,
          );
        }
      };
      checkVolumeFlags(
        options.volume,
        options.seedFile,
        { '--kms-file': options.kmsFile, '--previous-seed-file': options.previousSeedFile },
        'env',
      );
      const env = await readEnvAssignments(options.env, options.envValuesFile);
      let logging;
      if (options.syslogHost) {
        requireFlags(
          {
            '--syslog-ca': options.syslogCa,
            '--syslog-cert': options.syslogCert,
            '--syslog-key': options.syslogKey,
          },
          '--syslog-host',
        );
        const server = await readPem(options.syslogCa!, 'syslog CA certificate');
        const cert = await readPem(options.syslogCert!, 'syslog client certificate');
        const keyBytes = await readInput(options.syslogKey!, 'syslog client key', INPUT_LIMITS.pem);
        checkSyslogMaterial(
          {
            ca: { pem: server, source: options.syslogCa! },
            cert: { pem: cert, source: options.syslogCert! },
            key: { pem: keyBytes, source: options.syslogKey! },
          },
          new Date(),
        );
        logging = {
          syslog: {
            hostname: options.syslogHost,
            port: options.syslogPort,
            server,
            cert,
            key: pemBlocksOnly(pemText(keyBytes, options.syslogKey!)),
          },
        };
      } else if (options.logRouterHost) {
        requireFlags({ '--log-router-key-file': options.logRouterKeyFile }, '--log-router-host');
        logging = {
          logRouter: {
            hostname: options.logRouterHost,
            iamApiKey: (
              await readSecret({ file: options.logRouterKeyFile!, what: 'IAM API key' })
            ).toString('utf8'),
            port: options.logRouterPort,
          },
        };
      } else {
        requireFlags({ '--logdna-key-file': options.logdnaKeyFile }, '--logdna-host');
        logging = {
          logDNA: {
            hostname: options.logdnaHost!,
            ingestionKey: (
              await readSecret({ file: options.logdnaKeyFile!, what: 'LogDNA ingestion key' })
            ).toString('utf8'),
            port: options.logdnaPort,
          },
        };
      }
      const [{ buildEnvSection }, { readYamlFile }] = await Promise.all([
        import('../../core/authoring/section-builders.js'),
        import('../../node/read-yaml-file.js'),
      ]);
      let signingKey: string | undefined;
      if (options.signingKey !== undefined) {
        signingKey = await readPem(options.signingKey, 'signing key');
        parsePublicKeyOrCertificate(signingKey, options.signingKey);
      }
      const kms =
        options.kmsFile === undefined
          ? undefined
          : await readYamlFile(options.kmsFile, 'key endpoints');
      const isMapping = (item: unknown) =>
        typeof item === 'object' && item !== null && !Array.isArray(item);
      if (kms !== undefined && !(Array.isArray(kms) && kms.every(isMapping))) {
        throw new HpvsError(
          'CONTRACT_INVALID',
          `${options.kmsFile}: expected a YAML list of {apiKey, crn, type}`,
        );
      }
      const text = buildEnvSection({
        logging,
        volumes:
          options.volume === undefined
            ? undefined
            : {
                [options.volume]: {
                  seed: (await readSeed(options.seedFile, 'env volume seed'))!,
                  previousSeed: await readSeed(
                    options.previousSeedFile,
                    'previous env volume seed',
                  ),
                  kms: kms as never,
                },
              },
        env,
        auths:
          options.auths === undefined
            ? undefined
            : ((await readYamlFile(options.auths, 'auths')) as never),
        signingKey,
      });
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

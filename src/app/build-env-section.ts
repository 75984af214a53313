import { buildEnvSection, type LoggingInput } from '../core/authoring/section-builders.js';
import { parsePublicKeyOrCertificate, pemText } from '../core/crypto/keys.js';
import { pemBlocks } from '../core/crypto/pem-text.js';
import { checkSyslogMaterial } from '../core/crypto/tls-material.js';
import { readSecretText, type InputReaders } from './input-readers.js';
import { authsFrom, kmsFrom } from './section-input-shapes.js';

/** The env section of a Workload Deployer, named by the files that hold its material. */
export interface EnvSectionRequest {
  logging:
    | {
        syslog: {
          hostname: string;
          port?: number | undefined;
          /** CA certificate(s) that signed the syslog server's certificate. */
          caFile: string;
          /** Client certificate and its key, for mutual TLS. */
          certFile: string;
          keyFile: string;
        };
      }
    | { logRouter: { hostname: string; apiKeyFile: string; port?: number | undefined } }
    | { logDNA: { hostname: string; ingestionKeyFile: string; port?: number | undefined } };
  volume?:
    | {
        name: string;
        seedFile: string;
        previousSeedFile?: string | undefined;
        /** YAML list of HPCS key endpoints. */
        kmsFile?: string | undefined;
      }
    | undefined;
  env?: Record<string, string> | undefined;
  /** YAML mapping of registry host -> credentials (overlays workload.auths). */
  authsFile?: string | undefined;
  /** Public key or certificate of the contract signing key. */
  signingKeyFile?: string | undefined;
  /** When the syslog certificates must be valid. */
  now: Date;
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

/** Reads the files of `request` and writes the env section's YAML (not yet validated). */
export async function buildEnvSectionFromFiles(
  request: EnvSectionRequest,
  read: InputReaders,
): Promise<string> {
  const readPem = async (path: string, what: string) =>
    pemBlocksOnly(pemText(await read.pem(path, what), path));
  const readText = (path: string, what: string) => readSecretText(read, path, what);
  let logging: LoggingInput;
  if ('syslog' in request.logging) {
    const { syslog } = request.logging;
    const server = await readPem(syslog.caFile, 'syslog CA certificate');
    const cert = await readPem(syslog.certFile, 'syslog client certificate');
    const keyBytes = await read.pem(syslog.keyFile, 'syslog client key');
    checkSyslogMaterial(
      {
        ca: { pem: server, source: syslog.caFile },
        cert: { pem: cert, source: syslog.certFile },
        key: { pem: keyBytes, source: syslog.keyFile },
      },
      request.now,
    );
    logging = {
      syslog: {
        hostname: syslog.hostname,
        port: syslog.port,
        server,
        cert,
        key: pemBlocksOnly(pemText(keyBytes, syslog.keyFile)),
      },
    };
  } else if ('logRouter' in request.logging) {
    const { logRouter } = request.logging;
    logging = {
      logRouter: {
        hostname: logRouter.hostname,
        iamApiKey: await readText(logRouter.apiKeyFile, 'IAM API key'),
        port: logRouter.port,
      },
    };
  } else {
    const { logDNA } = request.logging;
    logging = {
      logDNA: {
        hostname: logDNA.hostname,
        ingestionKey: await readText(logDNA.ingestionKeyFile, 'LogDNA ingestion key'),
        port: logDNA.port,
      },
    };
  }
  let signingKey: string | undefined;
  if (request.signingKeyFile !== undefined) {
    signingKey = await readPem(request.signingKeyFile, 'signing key');
    parsePublicKeyOrCertificate(signingKey, request.signingKeyFile);
  }
  const { volume } = request;
  const kms =
    volume?.kmsFile === undefined
      ? undefined
      : kmsFrom(await read.yaml(volume.kmsFile, 'key endpoints'), volume.kmsFile);
  return buildEnvSection({
    logging,
    volumes:
      volume === undefined
        ? undefined
        : {
            [volume.name]: {
              seed: await readText(volume.seedFile, 'env volume seed'),
              previousSeed:
                volume.previousSeedFile === undefined
                  ? undefined
                  : await readText(volume.previousSeedFile, 'previous env volume seed'),
              kms,
            },
          },
    env: request.env,
    auths:
      request.authsFile === undefined
        ? undefined
        : authsFrom(await read.yaml(request.authsFile, 'auths'), request.authsFile),
    signingKey,
  });
}

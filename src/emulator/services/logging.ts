import {
  chooseLoggingTarget,
  DEFAULT_SYSLOG_PORT,
  logDnaIgnoredMessage,
} from '../../core/contract/logging-target.js';
import { pemText } from '../../core/crypto/keys.js';
import { portNumber } from '../../core/port-number.js';
import { checkSyslogMaterial } from '../../core/crypto/tls-material.js';
import { HpvsError } from '../../core/errors.js';
import { PLATFORMS } from '../../core/platforms/platforms.js';
import { ServiceFailure, sectionData, type BootContext } from '../boot-context.js';
import { SyslogForwarder, type SyslogTarget } from '../syslog-forwarder.js';
import { messageOf } from './bootloader.js';

export const LOGGING = 'hpl-logging';

/**
 * Sets up log forwarding from `env.logging`. For syslog it connects over TLS with the
 * contract's client certificate, verifying the server against the contract's CA, and replays
 * the boot log so far; IBM Cloud Logs targets cannot be reached from a laptop and are
 * reported as not emulated.
 */
export async function runLogging(context: BootContext): Promise<void> {
  const log = context.console;
  const logging = sectionData(context, 'env')['logging'];
  if (logging === undefined && !PLATFORMS[context.platform].loggingRequired) {
    log.note(
      LOGGING,
      `no env.logging (optional on ${context.platform}): logs stay on this console`,
    );
    return;
  }
  const choice = chooseLoggingTarget(
    logging !== null && typeof logging === 'object' ? (logging as Record<string, unknown>) : {},
  );
  if (choice.kind !== 'target') {
    const found = choice.kind === 'several' ? choice.targets : choice.unknown;
    log.error(
      LOGGING,
      'HPL01001E',
      `Invalid logging configuration: env.logging must name exactly one target (syslog or logRouter), found ${found.length === 0 ? 'none' : found.join(', ')}`,
    );
    throw new ServiceFailure(LOGGING);
  }
  const kind = choice.target;
  if (choice.ignored !== undefined) {
    log.warn(LOGGING, undefined, `env.logging.${choice.ignored}: ${logDnaIgnoredMessage(kind)}`);
  }
  const config = (logging as Record<string, unknown>)[kind];
  if (kind !== 'syslog') {
    const host = (config as { hostname?: unknown } | null)?.hostname;
    log.warn(
      LOGGING,
      undefined,
      `env.logging.${kind} (${String(host ?? 'no hostname')}) is not emulated: logs stay on this console`,
    );
    return;
  }
  let target: SyslogTarget;
  try {
    target = syslogTarget(config);
    checkSyslogMaterial(
      {
        ca: { pem: target.caPem, source: 'env.logging.syslog.server' },
        cert:
          target.certPem === undefined
            ? undefined
            : { pem: target.certPem, source: 'env.logging.syslog.cert' },
        key:
          target.keyPem === undefined
            ? undefined
            : { pem: target.keyPem, source: 'env.logging.syslog.key' },
      },
      context.now,
    );
  } catch (error) {
    log.error(LOGGING, 'HPL01001E', `Invalid logging configuration: ${messageOf(error)}`);
    throw new ServiceFailure(LOGGING);
  }
  try {
    context.forwarder = await SyslogForwarder.connect(target, {
      hostname: `hpcr-emulator-${context.state.machine.serial.toLowerCase()}`,
    });
  } catch (error) {
    log.error(LOGGING, 'HPL01001E', `Logging setup failed: ${messageOf(error)}`);
    throw new ServiceFailure(LOGGING);
  }
  log.attach(context.forwarder);
  log.info(LOGGING, 'HPL01010I', 'Logging has been setup successfully.');
}

function syslogTarget(config: unknown): SyslogTarget {
  const syslog = (config ?? {}) as Record<string, unknown>;
  const text = (name: string): string => {
    const value = syslog[name];
    if (typeof value !== 'string' || value.trim() === '') {
      throw new HpvsError('CONTRACT_INVALID', `env.logging.syslog.${name} is missing`);
    }
    return value;
  };
  const port = syslog['port'] === undefined ? DEFAULT_SYSLOG_PORT : portNumber(syslog['port']);
  if (port === undefined) {
    throw new HpvsError(
      'CONTRACT_INVALID',
      `env.logging.syslog.port ${String(syslog['port'])} is not a port number`,
    );
  }
  return {
    hostname: text('hostname'),
    port,
    caPem: pemText(text('server'), 'env.logging.syslog.server'),
    // the schema allows server-authenticated TLS without a client certificate
    ...(syslog['cert'] === undefined && syslog['key'] === undefined
      ? {}
      : {
          certPem: pemText(text('cert'), 'env.logging.syslog.cert'),
          keyPem: pemText(text('key'), 'env.logging.syslog.key'),
        }),
  };
}

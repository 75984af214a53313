import type { Command } from '@commander-js/extra-typings';
import { Option } from '@commander-js/extra-typings';
import { HpvsError } from '../../core/errors.js';
import { note } from '../../node/console.js';
import { INPUT_LIMITS } from '../../node/input-limits.js';
import { PLATFORMS } from '../../core/platforms/platforms.js';
import { examples } from './help-examples.js';
import { assertSchemaSupported, notePlatformAlias, platformOption } from './platform-options.js';
import { collect } from './repeatable-option.js';
import { terminalSafe } from '../../core/text/terminal-safe-text.js';

const DEFAULT_IMAGE_VERSION = '25.11.0-emulator';

export function registerEmulator(program: Command): void {
  const emulator = program
    .command('emulator')
    .description(
      'A local emulator of the HPCR runtime: its own identity (certificates, keys, CRLs), a boot that plays the runtime services on a contract, and a TLS syslog receiver.',
    );

  emulator
    .command('init')
    .description(
      "Create the emulated runtime's identity: root and intermediate CA, encryption and attestation certificates (RSA-4096, sha512 like IBM's), a CRL per CA. Public material goes to DIR/public, private keys to DIR/private (0600).",
    )
    .requiredOption('--state <dir>', 'folder for the emulator state')
    .option('--image-version <version>', 'image version the record reports', DEFAULT_IMAGE_VERSION)
    .addOption(
      new Option(
        '--key-bits <bits>',
        "RSA key size; 4096 like IBM's, smaller only to speed up tests",
      )
        .choices(['2048', '3072', '4096'] as const)
        .default('4096' as const),
    )
    .addOption(
      platformOption(
        "the runtime to emulate: boot applies its schema (allowed workload kinds) and reads only its token prefix (ccco boots initdata and pods); without it, hpvs's schema and both prefixes",
      ),
    )
    .option('--force', 'replace an existing state (certificates issued for it stop working)')
    .addHelpText(
      'after',
      examples(
        'hpvs-ctl emulator init --state ./hpcr',
        'hpvs-ctl emulator init --state ./peerpod --platform ccco',
        'hpvs-ctl emulator init --state ./ccrt --platform ccrt',
        'hpvs-ctl encrypt workload.yaml --cert ./hpcr/public/encrypt.crt --out workload.enc',
      ),
    )
    .action(async (options) => {
      if (!/^[0-9]+(?:\.[0-9A-Za-z_+-]+)*$/.test(options.imageVersion)) {
        throw new HpvsError(
          'USAGE',
          `invalid --image-version "${options.imageVersion}": expected a version like 25.11.0`,
        );
      }
      notePlatformAlias(options.platform);
      const platform = options.platform?.platform.name;
      assertSchemaSupported(platform);
      const { createEmulatorState } = await import('../../emulator/create-emulator-state.js');
      const created = await createEmulatorState({
        dir: options.state,
        imageVersion: options.imageVersion,
        keyBits: Number(options.keyBits),
        platform,
        force: options.force === true,
        now: new Date(),
      });
      const pub = created.publicFiles;
      process.stdout.write(
        [
          `emulated HPCR ${created.imageVersion}${platform === undefined ? '' : ` (${platform}, tokens ${PLATFORMS[platform].tokenPrefix})`} created in ${options.state}`,
          `  encryption certificate (for providers and deployers): ${pub.encryption}`,
          `  attestation certificate (for auditors):               ${pub.attestation}`,
          `  chain and CRLs: ${pub.intermediate}, ${pub.root}, ${pub.intermediateCrl}, ${pub.rootCrl}`,
          `  reference values (root.tar.gz, baseimage):            ${pub.reference}`,
          `  private keys (mode 0600):                             ${created.privateDir}`,
          '',
        ]
          .map(terminalSafe)
          .join('\n'),
      );
    });

  emulator
    .command('boot')
    .description(
      'Boot a contract on the emulated runtime, printing the runtime console lines (service[pid]: HPLnnnnnX: text); exit 0 at HPL10001I, 1 after HPL10000E.',
    )
    .argument('[user-data]', 'the user-data.yaml to boot (or --initdata, or --cidata)')
    .option(
      '--initdata <file>',
      'ccco: boot the contract in this initdata (the value, or a Pod/workload/ConfigMap manifest carrying it) like a peer-pod VM',
    )
    .option('--pod <file>', 'ccco: the pod manifest the agent policy and sealed secrets apply to')
    .option(
      '--cidata <iso>',
      'boot from a NoCloud seed image (hpvs-ctl cidata) instead: its user-data, and the image and its files attested',
    )
    .requiredOption('--state <dir>', 'emulator state made by emulator init')
    .option(
      '--volume-image <[name=]file>',
      'LUKS2 image file for a contract volume: formatted on first boot, unlocked later (repeat as NAME=FILE for several volumes)',
      collect,
      [] as string[],
    )
    .option(
      '--runtime <name|module>',
      'container runtime: plan (default), podman, or the path of a module',
      'plan',
    )
    .option(
      '--out-dir <dir>',
      'instance file system root for var/hyperprotect, var/log and workload (default STATE/instance): a new or empty folder, or one an earlier boot used',
    )
    .option(
      '--keep-running',
      'podman runtime: leave the workload running when the boot ends (hpvs-ctl emulator stop ends it); by default the boot follows the containers until they exit or Ctrl-C, then removes them',
    )
    .option(
      '--podman-config <sandbox|system|file>',
      "podman runtime: containers.conf to use: system (the host's, default), sandbox (runc, cgroupfs, no default ulimits: for containers-in-containers and CI hosts) or a file",
      'system',
    )
    .option(
      '--fast-kdf',
      'format new LUKS volumes with a cheap PBKDF2 instead of argon2id: for tests and demos only, it makes the passphrase easy to brute-force',
    )
    .addHelpText(
      'after',
      examples(
        'hpvs-ctl emulator boot user-data.yaml --state ./hpcr',
        'hpvs-ctl emulator boot user-data.yaml --state ./hpcr --volume-image data.img --out-dir ./instance',
        'hpvs-ctl emulator boot user-data.yaml --state ./hpcr --runtime podman --podman-config sandbox --keep-running',
        'hpvs-ctl emulator boot --initdata pod-with-initdata.yaml --state ./peerpod',
        'hpvs-ctl emulator boot --cidata cloudinit.iso --state ./hpcr',
      ),
    )
    .action(async (userDataPath, options) => {
      if (
        options.cidata !== undefined &&
        (userDataPath !== undefined || options.initdata !== undefined)
      ) {
        throw new HpvsError(
          'USAGE',
          'give one of the user-data file, --initdata or --cidata IMAGE',
        );
      }
      if (
        options.cidata === undefined &&
        (userDataPath === undefined) === (options.initdata === undefined)
      ) {
        throw new HpvsError(
          'USAGE',
          'give either a user-data file or --initdata, not both or neither',
        );
      }
      const [
        { systemRandom },
        { parsePodmanConfigChoice },
        { bootFromFiles },
        { CLI_INPUT_PHRASES },
      ] = await Promise.all([
        import('../../node/random.js'),
        import('../../emulator/runtimes/podman-config.js'),
        import('../../emulator/boot/boot-from-files.js'),
        import('./input-phrases.js'),
      ]);
      const result = await bootFromFiles({
        stateDir: options.state,
        userDataFile: userDataPath,
        initdataFile: options.initdata,
        podFile: options.pod,
        cidataFile: options.cidata,
        runtime: options.runtime,
        podmanConfig: parsePodmanConfigChoice(options.podmanConfig),
        outDir: options.outDir,
        volumeImages: parseVolumeImages(options.volumeImage),
        fastKdf: options.fastKdf === true,
        keepRunning: options.keepRunning === true,
        listenForStop: listenForInterrupt,
        print: (line) => process.stdout.write(`${terminalSafe(line)}\n`),
        phrases: CLI_INPUT_PHRASES,
        note: (line) => process.stdout.write(`hpcr-emulator: ${terminalSafe(line)}\n`),
        random: systemRandom,
      });
      if (!result.ok) process.exitCode = 1;
    });

  emulator
    .command('stop')
    .description(
      'End the workload a boot with --runtime podman --keep-running left running: stop and remove the containers, pods and volumes labelled for that instance folder, and nothing else.',
    )
    .option('--out-dir <dir>', 'the instance folder the boot used')
    .option('--state <dir>', 'the emulator state; the instance folder is STATE/instance')
    .addHelpText(
      'after',
      examples(
        'hpvs-ctl emulator stop --out-dir ./instance',
        'hpvs-ctl emulator stop --state ./hpcr',
      ),
    )
    .action(async (options) => {
      if ((options.outDir === undefined) === (options.state === undefined)) {
        throw new HpvsError('USAGE', 'give exactly one of --out-dir DIR and --state DIR');
      }
      const { stopPodmanInstance } = await import('../../emulator/runtimes/podman-instance.js');
      const dir = options.outDir ?? `${options.state}/instance`;
      const removed = await stopPodmanInstance(dir);
      process.stdout.write(
        removed.containers + removed.pods + removed.volumes === 0
          ? `nothing of ${dir} was running\n`
          : `${dir}: stopped and removed ${removed.containers} container(s), ${removed.pods} pod(s), ${removed.volumes} volume(s)\n`,
      );
    });

  emulator
    .command('log-server')
    .description(
      'A TLS syslog receiver that requires client certificates issued by --ca (like rsyslog with x509/certvalid); prints or appends every message until interrupted.',
    )
    .requiredOption('--port <n>', 'TCP port to listen on (0 picks a free one)', parsePort)
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .requiredOption('--ca <file>', 'CA certificate that must have issued the client certificates')
    .requiredOption('--cert <file>', 'server certificate')
    .requiredOption('--key <file>', 'server private key')
    .option('--out <file>', 'append messages to this file instead of printing them (- prints)')
    .addHelpText(
      'after',
      examples(
        'hpvs-ctl emulator log-server --port 6514 --ca syslog/ca.crt --cert syslog/server.crt --key syslog/server-key.pem --out received.log',
      ),
    )
    .action(async (options) => {
      const { readInput } = await import('../../node/read-input.js');
      const { openAppendOutput, stdoutAppendOutput } = await import('../../node/append-output.js');
      const { receiveLogs } = await import('../../emulator/receive-logs.js');
      // one after the other, so a missing file is reported in the order the flags are listed
      const caPem = await readInput(options.ca, 'CA certificate', INPUT_LIMITS.pem);
      const certPem = await readInput(options.cert, 'server certificate', INPUT_LIMITS.pem);
      const keyPem = await readInput(options.key, 'server private key', INPUT_LIMITS.pem);
      // opened before listening: a path that cannot be written fails now, not at a message
      const output =
        options.out === undefined || options.out === '-'
          ? stdoutAppendOutput()
          : await openAppendOutput(options.out);
      await receiveLogs({
        host: options.host,
        port: options.port,
        caPem: caPem.toString('utf8'),
        caSource: options.ca === '-' ? 'stdin' : options.ca,
        certPem: certPem.toString('utf8'),
        keyPem: keyPem.toString('utf8'),
        output,
        // escaped in the file too, as rsyslog does by default: a log is read on a terminal
        line: (message) => `${terminalSafe(message)}\n`,
        stop: new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        }),
        onEvent: (event) => note(`log-server: ${event}`),
        onListening: (server) =>
          note(
            `log-server: listening on ${server.host}:${server.port} (TLS, client certificates required)`,
          ),
      });
    });
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) {
    throw new HpvsError('USAGE', `invalid --port "${value}": expected 0-65535`);
  }
  return port;
}

function parseVolumeImages(values: string[]): { byName: Map<string, string>; single?: string } {
  const byName = new Map<string, string>();
  let single: string | undefined;
  for (const value of values) {
    const match = /^([a-z_][a-z0-9_-]*)=(.+)$/.exec(value);
    if (match) {
      byName.set(match[1]!, match[2]!);
    } else if (single === undefined) {
      single = value;
    } else {
      throw new HpvsError(
        'USAGE',
        'give at most one --volume-image FILE without a name; use NAME=FILE for several volumes',
      );
    }
  }
  return single === undefined ? { byName } : { byName, single };
}

/** The first Ctrl-C (or SIGTERM) stops and removes the workload; the boot then ends normally. */
function listenForInterrupt(): { signal: AbortSignal; release: () => void } {
  const stop = new AbortController();
  const interrupt = () => stop.abort();
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  return {
    signal: stop.signal,
    release: () => {
      process.off('SIGINT', interrupt);
      process.off('SIGTERM', interrupt);
    },
  };
}

// The deployment story's steps as hpvs-ctl argument lists, shared by the demos, the benchmarks
// and the tests, so that each says which files a step takes instead of spelling its flags.
// It only builds lists: running them, and checking what they did, stays with the caller.
//
// A step takes named options: a camelCase name is its --kebab-case flag (`seedFile` is
// `--seed-file`); `true` is a flag without a value, `false` or `undefined` leaves it out, an
// array repeats it (`crl: [a, b]`), numbers are written in decimal. The flags come out in the
// order listed below (the order the demo prints), not in the order of the options object.

/** `fooBar` -> `--foo-bar`. */
const flag = (name) => `--${name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;

/**
 * A step: `words` are the command, `positional` the name of the option that is its operand
 * (written right after the words), `names` its flags in the order they are written. A name it
 * does not know throws, so a misspelt option cannot silently drop a flag from a test.
 */
function step(words, positional, names) {
  const known = new Set(positional === undefined ? names : [positional, ...names]);
  const build = (options = {}) => {
    for (const name of Object.keys(options)) {
      if (!known.has(name))
        throw new TypeError(
          `hpvs-ctl ${words.join(' ')}: no option "${name}" (known: ${[...known].join(', ')})`,
        );
    }
    const argv = [...words];
    const operand = positional === undefined ? undefined : options[positional];
    if (operand !== undefined) argv.push(String(operand));
    for (const name of names) {
      const value = options[name];
      if (value === undefined || value === false) continue;
      if (value === true) argv.push(flag(name));
      else for (const item of [value].flat()) argv.push(flag(name), String(item));
    }
    return argv;
  };
  // what the step can write, so a test can hold it against the CLI's own options
  return Object.assign(build, { words, flags: names.map(flag) });
}

const sectionInputs = ['envValuesFile', 'platform', 'encrypt', 'certVersion', 'cert'];
const sectionOutput = ['allowExpired', 'out'];
// the trust material of a certificate check (encrypt and attestation verify take the same)
const trustFlags = ['chain', 'root', 'crl', 'noCrl', 'partialChain', 'at'];

export const story = {
  /** The runtime's identity: `emulator init`. */
  emulatorInit: step(['emulator', 'init'], undefined, [
    'state',
    'platform',
    'keyBits',
    'imageVersion',
    'force',
  ]),

  /** A key pair (the auditor's attestation key, the deployer's signing key): `keys generate`. */
  keysGenerate: step(['keys', 'generate'], undefined, [
    'outDir',
    'name',
    'bits',
    'passphraseFile',
    'force',
    'json',
  ]),

  /** The syslog TLS material (CA, server and client pairs): `certs syslog`. */
  certsSyslog: step(['certs', 'syslog'], undefined, [
    'hostname',
    'ip',
    'outDir',
    'days',
    'bits',
    'force',
    'json',
  ]),

  /** The provider's workload section. `env` is a list of KEY=VALUE. */
  workload: step(['workload'], undefined, [
    'compose',
    'play',
    'playResources',
    'playTemplates',
    'auths',
    'images',
    'volume',
    'mount',
    'filesystem',
    'seedFile',
    'previousSeedFile',
    'env',
    ...sectionInputs,
    ...sectionOutput,
  ]),

  /** The deployer's env section. `env` is a list of KEY=VALUE. */
  env: step(['env'], undefined, [
    'syslogHost',
    'syslogPort',
    'syslogCa',
    'syslogCert',
    'syslogKey',
    'logRouterHost',
    'logRouterKeyFile',
    'logRouterPort',
    'logdnaHost',
    'logdnaKeyFile',
    'logdnaPort',
    'volume',
    'seedFile',
    'previousSeedFile',
    'kmsFile',
    'auths',
    'signingKey',
    'env',
    ...sectionInputs,
    ...sectionOutput,
  ]),

  /** The user data: workload and env assembled, encrypted, signed: `contract`. */
  contract: step(['contract'], undefined, [
    'in',
    'workload',
    'env',
    'attestationKey',
    'platform',
    'encrypt',
    'certVersion',
    'cert',
    'allowExpired',
    'signKey',
    'signPassphraseFile',
    'expiryDays',
    'caCert',
    'caKey',
    'caPassphraseFile',
    'csr',
    'subject',
    'signingCertOut',
    'prefix',
    'sectionStyle',
    'json',
    'out',
    'batch',
    'outDir',
    'force',
  ]),

  /** `validate FILE`. */
  validate: step(['validate'], 'file', ['section', 'platform', 'networkConfig', 'json']),

  /** Signs user data again: `sign USER_DATA`. */
  sign: step(['sign'], 'userData', ['key', 'passphraseFile', 'out', 'json']),

  /** Checks the signature of user data: `verify USER_DATA`. */
  verify: step(['verify'], 'userData', [
    'signingKey',
    'decryptKey',
    'passphraseFile',
    'caCert',
    'json',
  ]),

  /** The contract as a ccco initdata value or pod annotation: `initdata build`. */
  initdataBuild: step(['initdata', 'build'], undefined, [
    'contract',
    'seHeader',
    'allowPlaintext',
    'pod',
    'out',
    'json',
  ]),

  /** A section (or any file) encrypted for the runtime: `encrypt [FILE]`. */
  encrypt: step(['encrypt'], 'file', [
    'platform',
    'certVersion',
    'cert',
    'allowExpired',
    'format',
    ...trustFlags,
    'out',
    'json',
  ]),

  /** A token decrypted with the runtime's private key: `decrypt [FILE]`. */
  decrypt: step(['decrypt'], 'file', ['key', 'passphraseFile', 'out', 'json']),

  /** The contract on a NoCloud seed image for an on-premises boot: `cidata`. */
  cidata: step(['cidata'], undefined, [
    'userData',
    'networkConfig',
    'metaData',
    'platform',
    'out',
    'json',
  ]),

  /** The LUKS passphrase of a data volume from its seeds: `luks-passphrase`. */
  luksPassphrase: step(['luks-passphrase'], undefined, [
    'envSeedFile',
    'workloadSeedFile',
    'thirdSeedFile',
    'out',
  ]),

  /** A boot of the emulator: `emulator boot [USER_DATA]`. */
  emulatorBoot: step(['emulator', 'boot'], 'userData', [
    'initdata',
    'pod',
    'cidata',
    'state',
    'volumeImage',
    'fastKdf',
    'outDir',
    'runtime',
    'podmanConfig',
    'keepRunning',
  ]),

  /** Stops what a `--keep-running` boot left running: `emulator stop`. */
  emulatorStop: step(['emulator', 'stop'], undefined, ['outDir', 'state']),

  /** The deployer's syslog receiver: `emulator log-server`. */
  logServer: step(['emulator', 'log-server'], undefined, [
    'port',
    'host',
    'ca',
    'cert',
    'key',
    'out',
  ]),

  /** The auditor's check of an attestation record: `attestation verify`. */
  attestationVerify: step(['attestation', 'verify'], undefined, [
    'record',
    'key',
    'passphraseFile',
    'signature',
    'cert',
    ...trustFlags,
    'contract',
    'cidata',
    'reference',
    'batch',
    'json',
  ]),

  /** Decrypts an attestation record with the auditor's key: `attestation decrypt`. */
  attestationDecrypt: step(['attestation', 'decrypt'], undefined, [
    'record',
    'key',
    'passphraseFile',
    'out',
    'json',
  ]),
};

/**
 * The attestation record files a boot wrote under `folder` (its `var/hyperprotect`), as the
 * `record` and `signature` options of `story.attestationVerify`.
 */
export function recordFiles(folder) {
  return { record: `${folder}/se-checksums.txt.enc`, signature: `${folder}/se-signature.bin` };
}

/**
 * The public chain `emulator init --state STATE` wrote, as the `cert`, `chain`, `root` and
 * `crl` options of `story.attestationVerify`.
 */
export function emulatorChain(state) {
  const pub = `${state}/public`;
  return {
    cert: `${pub}/attestation.crt`,
    chain: `${pub}/intermediate.crt`,
    root: `${pub}/root.crt`,
    crl: [`${pub}/intermediate.crl`, `${pub}/root.crl`],
  };
}

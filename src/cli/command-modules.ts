import type { Command } from '@commander-js/extra-typings';

/** What a command file exports: it adds its command (or command group) to the program. */
export type RegisterCommand = (program: Command) => void;

/**
 * The command files, in the order the program lists them (the order the personas meet them:
 * start, provider, deployer, checks, auditor, emulator). Each is imported only when needed:
 * `hpvs-ctl contract ...` loads the contract command's file and nothing of the others.
 */
export const COMMAND_MODULES: readonly (() => Promise<RegisterCommand>)[] = [
  async () => (await import('./commands/init.js')).registerInit,
  async () => (await import('./commands/image.js')).registerImage,
  async () => (await import('./commands/cidata.js')).registerCidata,
  async () => (await import('./commands/archive.js')).registerArchive,
  async () => (await import('./commands/workload.js')).registerWorkload,
  async () => (await import('./commands/env.js')).registerEnv,
  async () => (await import('./commands/contract.js')).registerContract,
  async () => (await import('./commands/sign.js')).registerSign,
  async () => (await import('./commands/verify.js')).registerVerify,
  async () => (await import('./commands/validate.js')).registerValidate,
  async () => (await import('./commands/inspect.js')).registerInspect,
  async () => (await import('./commands/encrypt.js')).registerEncrypt,
  async () => (await import('./commands/decrypt.js')).registerDecrypt,
  async () => (await import('./commands/luks-passphrase.js')).registerLuksPassphrase,
  async () => (await import('./commands/keys.js')).registerKeys,
  async () => (await import('./commands/certs.js')).registerCerts,
  async () => (await import('./commands/attestation.js')).registerAttestation,
  async () => (await import('./commands/emulator.js')).registerEmulator,
  async () => (await import('./commands/initdata.js')).registerInitdata,
  async () => (await import('./commands/secrets.js')).registerSecrets,
  async () => (await import('./commands/policy.js')).registerPolicy,
];

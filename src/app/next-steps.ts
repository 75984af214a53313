import type { PlatformName } from '../core/platforms/platforms.js';

/**
 * What the user of a starter project does next. Text that names no command is said as it is; a
 * step done with a command is data (which files, which platform), and a front end says it in
 * its own terms: the CLI as the command line to run (`src/cli/commands/init-next-steps.ts`), a
 * program by calling the matching function.
 */
export type NextStep = string | CommandStep;

export type CommandStep =
  /** Encrypt workload.yaml into workload.enc for the runtime, when it was not encrypted here. */
  | { readonly command: 'encrypt-workload'; readonly platform?: PlatformName | undefined }
  /** ccco: hand workload.yaml over encrypted for the ccco runtime (workload.enc). */
  | { readonly command: 'encrypt-ccco-workload' }
  /** Configure the syslog server with the certificates written into `folder`. */
  | {
      readonly command: 'configure-rsyslog';
      readonly host: string;
      readonly port: number;
      readonly folder: string;
    }
  /** Sign the contract with the signing-private.pem written here. */
  | { readonly command: 'sign-contract' }
  /** Keep attestation-private.pem: it decrypts se-checksums.txt.enc to verify the record. */
  | { readonly command: 'verify-attestation' }
  /** ccco: seal values for the workload with the key pair written here. */
  | {
      readonly command: 'seal-workload-values';
      readonly encryptionKey: string;
      readonly signingKey: string;
    }
  /** ccco: the agent policy admits exactly the pod's containers; make it again after a change. */
  | { readonly command: 'regenerate-policy'; readonly policy: string; readonly pod: string }
  /** ccco: build the contract from workload.enc and env.yaml, encrypted and signed. */
  | { readonly command: 'build-ccco-contract' }
  /** ccco: build the pod's initdata annotation from the contract. */
  | { readonly command: 'build-initdata'; readonly pod: string };

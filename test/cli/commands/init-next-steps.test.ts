import { describe, expect, it } from 'vitest';
import type { NextStep } from '../../../src/app/next-steps.js';
import { createStarterProject } from '../../../src/app/starter-project.js';
import { cliNextStep } from '../../../src/cli/commands/init-next-steps.js';
import { systemRandom } from '../../../src/node/random.js';

describe('init next steps: data in the use case, command lines in the CLI', () => {
  it('says each command step as the command line hpvs-ctl init printed', () => {
    const said: [NextStep, string][] = [
      [
        { command: 'encrypt-workload' },
        'encrypt it for the HPCR image: hpvs-ctl encrypt workload.yaml --platform <hpvs|ccrt|ccrv> --out workload.enc (or --cert <encryption certificate>)',
      ],
      [
        { command: 'encrypt-workload', platform: 'ccrv' },
        'encrypt it for the HPCR image: hpvs-ctl encrypt workload.yaml --platform ccrv --out workload.enc (or --cert <encryption certificate>)',
      ],
      [
        { command: 'encrypt-ccco-workload' },
        'hand workload.yaml to the Workload Deployer encrypted: hpvs-ctl encrypt workload.yaml --platform ccco --out workload.enc',
      ],
      [
        { command: 'configure-rsyslog', host: '10.0.0.1', port: 6515, folder: 'syslog-tls' },
        'configure rsyslog on 10.0.0.1:6515 with syslog-tls/ca.crt, server.crt and server-key.pem (x509/certvalid; see hpvs-ctl certs syslog --help)',
      ],
      [
        { command: 'sign-contract' },
        'sign the contract with signing-private.pem: hpvs-ctl contract --sign-key signing-private.pem ...',
      ],
      [
        { command: 'verify-attestation' },
        'keep attestation-private.pem to decrypt se-checksums.txt.enc: hpvs-ctl attestation verify ...',
      ],
      [
        { command: 'seal-workload-values', encryptionKey: 'k/e.pem', signingKey: 'k/s.pem' },
        'seal values for the workload: hpvs-ctl secrets seal --type workload --in FILE --encryption-key k/e.pem --signing-key k/s.pem',
      ],
      [
        { command: 'regenerate-policy', policy: 'policy.rego', pod: 'pod.yaml' },
        'policy.rego admits exactly the containers of pod.yaml; after changing the pod: hpvs-ctl policy generate --pod pod.yaml --base64 (into regoValidator.policy)',
      ],
      [
        { command: 'build-ccco-contract' },
        'hpvs-ctl contract --platform ccco --workload workload.enc --env env.yaml --encrypt --sign-key signing-private.pem --out user-data.yaml',
      ],
      [
        { command: 'build-initdata', pod: '<pod.yaml>' },
        'hpvs-ctl initdata build --contract user-data.yaml --pod <pod.yaml> (the io.katacontainers.config.hypervisor.cc_init_data annotation)',
      ],
      ['text a front end says as it is', 'text a front end says as it is'],
    ];
    for (const [step, line] of said) expect(cliNextStep(step)).toBe(line);
  });

  it('hands a program the steps as data, without command lines', async () => {
    const project = await createStarterProject(
      { persona: 'auditor' },
      { now: new Date(), random: systemRandom, bits: 2048 },
    );
    expect(project.nextSteps).toEqual([
      'give attestation-public.pem to the Workload Deployer for attestationPublicKey',
      { command: 'verify-attestation' },
    ]);
  });
});

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRego } from '../../../src/core/ccco/rego-syntax.js';
import { expectCliError } from '../../helpers/expect-error.js';
import { runCli } from '../../helpers/run-cli.js';
import { useTempDir } from '../../helpers/temp-dir.js';

const tempDir = useTempDir();
const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers:
        - name: web
          image: quay.io/example/web:1.0
          command: ["/bin/web", "--port=8080"]
`;

describe('hpvs-ctl policy generate', () => {
  it('prints a policy for a Deployment, and its base64 with --base64', async () => {
    const pod = join(tempDir(), 'deploy.yaml');
    writeFileSync(pod, DEPLOYMENT);
    const plain = await runCli(['policy', 'generate', '--pod', pod]);
    expect(plain.code).toBe(0);
    expect(() => parseRego(plain.stdout)).not.toThrow();
    expect(plain.stdout).toContain('    args[1] == "--port=8080"');
    const encoded = await runCli(['policy', 'generate', '--pod', '-', '--base64'], {
      stdin: DEPLOYMENT,
    });
    expect(encoded.code).toBe(0);
    expect(encoded.stdout).toMatch(/^[A-Za-z0-9+/=]+\n$/);
    expect(Buffer.from(encoded.stdout.trim(), 'base64').toString('utf8')).toBe(plain.stdout);
  });

  it('refuses a manifest without containers with one line', async () => {
    await expectCliError(
      ['policy', 'generate', '--pod', '-'],
      /no container with an image/,
      'kind: Service\n',
    );
  });
});

import { describe, expect, it } from 'vitest';
import { composeWarnings } from '../../../src/core/workload/compose-warnings.js';

describe('composeWarnings', () => {
  it('lists a warning for each of 200,000 services without overflowing the stack', async () => {
    const services = Array.from({ length: 200_000 }, (_, i) => `  s${i}: {image: x}`);
    const data = Buffer.from(`services:\n${services.join('\n')}\n`);
    const warnings = await composeWarnings(
      [{ type: 'file', path: 'docker-compose.yaml', data, executable: false }],
      'app',
    );
    expect(warnings).toHaveLength(200_000);
    expect(warnings[199_999]?.rule).toBe('image-not-pinned');
    expect(warnings[199_999]?.message).toMatch(
      /^app\/docker-compose\.yaml:200001:\d+ service "s199999" image "x" has no @sha256: digest/,
    );
  });

  it('says a compose file that is not UTF-8 cannot be read, at its first bad byte', async () => {
    const data = Buffer.concat([
      Buffer.from('services:\n  web:\n    image: n'),
      Buffer.from([0xe9]),
      Buffer.from('ginx\n'),
    ]);
    expect(
      await composeWarnings(
        [{ type: 'file', path: 'docker-compose.yml', data, executable: false }],
        'app',
      ),
    ).toEqual([
      {
        rule: 'compose-file-unreadable',
        message:
          'app/docker-compose.yml:3:13: not UTF-8 (byte 0xe9); a YAML file must be UTF-8: re-save it as UTF-8; the runtime cannot read it',
      },
    ]);
  });
});

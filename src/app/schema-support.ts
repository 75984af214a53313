import { HpvsError } from '../core/errors.js';
import { PLATFORMS, type PlatformName } from '../core/platforms/platforms.js';

/**
 * Use cases that check a contract against the platform's schema refuse a platform whose schema
 * hpvs-ctl does not reproduce yet, rather than check it against another one.
 */
export function assertSchemaSupported(platform: PlatformName | undefined): void {
  if (platform === undefined || PLATFORMS[platform].schema.supported) return;
  throw new HpvsError(
    'USAGE',
    `validating contracts for ${platform} (${PLATFORMS[platform].schema.published}) is not supported yet; hpvs, ccrt and ccrv are`,
  );
}

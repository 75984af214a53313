import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder of a file shipped with hpvs-ctl (templates/...). The bundle puts this code in
 * dist/ and tests run it from src/node/, so the package root is found by
 * walking up to the folder that holds package.json and templates/.
 */
export function packagePath(...parts: string[]): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'templates'))) {
      return join(dir, ...parts);
    }
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error('hpvs-ctl package folder not found (templates/ is missing)');
    dir = parent;
  }
}

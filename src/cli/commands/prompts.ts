/**
 * The prompts `hpvs-ctl init` asks with, imported by name so that the bundle leaves out the
 * rest of @inquirer/prompts: its `editor` prompt alone brings iconv-lite and chardet, a fifth of
 * the CLI's code, which every command would read at start-up (bench/README.md).
 */
export { confirm, input, password, select } from '@inquirer/prompts';

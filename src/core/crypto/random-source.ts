/**
 * Core functions never draw randomness themselves: the IO edge passes a source in, so tests
 * can make every output reproducible.
 */
export type RandomSource = (length: number) => Uint8Array;

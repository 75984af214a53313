/** TCP and UDP ports as contracts and workloads give them: 1 to 65535 (0 is not a port). */
export const PORT_RANGE = { minimum: 1, maximum: 65535 } as const;

/** A port number, from a number or its decimal text; undefined when it is none. */
export function portNumber(value: unknown): number | undefined {
  const number = typeof value === 'number' ? value : Number(value);
  return Number.isInteger(number) && number >= PORT_RANGE.minimum && number <= PORT_RANGE.maximum
    ? number
    : undefined;
}

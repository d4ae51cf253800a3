/** What the evaluations share on their command line: whole-number flags, and bad arguments exit 2. */
import { z } from 'zod';

/** Bad arguments: the evaluation prints the reason and its usage and exits 2. */
export class UsageError extends Error {}

export const wholeNumber = (flag: string, min: number, max: number) =>
  z.coerce
    .number({ error: `${flag} must be a whole number` })
    .int(`${flag} must be a whole number`)
    .min(min, `${flag} must be at least ${min}`)
    .max(max, `${flag} must be at most ${max}`);

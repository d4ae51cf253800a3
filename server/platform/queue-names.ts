/** Every BullMQ queue the workers serve. manifest.json schedules may only name these. */
export const QUEUE_NAMES = [
  'maintenance',
  'sync',
  'score',
  'write-back',
  'warnings',
  'notify',
  'qbr',
  'analytics',
] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

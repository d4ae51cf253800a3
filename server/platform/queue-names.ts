/** Every BullMQ queue the workers serve. manifest.json schedules may only name these. */
export const QUEUE_NAMES = ['maintenance', 'sync', 'score', 'write-back'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

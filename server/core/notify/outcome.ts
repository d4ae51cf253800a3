/**
 * What a receiver's answer means for a delivery. 2xx: delivered. A client error says the request will
 * never be accepted as it is (gone, forbidden, malformed), except 408 and 429 which ask to come back
 * later. Redirects are not followed, so the destination check cannot be bypassed by one; as the same
 * request would be redirected again, they fail for good too. Anything else is retried.
 */

export type DeliveryOutcome = 'delivered' | 'failed' | 'retry';

export function outcomeOfStatus(status: number): DeliveryOutcome {
  if (status >= 200 && status < 300) return 'delivered';
  if (status === 408 || status === 429) return 'retry';
  if (status >= 300 && status < 500) return 'failed';
  return 'retry';
}

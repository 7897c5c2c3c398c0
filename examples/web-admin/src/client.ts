/**
 * The page's one client: no token, calling the backend's proxy on the page's own origin. Its
 * retries (a 429's Retry-After, 5xx) are the only ones: the query options turn TanStack's off.
 * Each wait is published, so the page can say it is waiting for a rate limit.
 */
import { type RetryEvent, createExpiringTargetsClient } from 'ld-expiring-targets';

export interface Waiting {
  status: number | undefined;
  attempt: number;
  delayMs: number;
  until: number;
}

let waiting: Waiting | null = null;
const listeners = new Set<() => void>();
const publish = (next: Waiting | null) => {
  waiting = next;
  for (const listener of listeners) listener();
};

function onRetry(event: RetryEvent): void {
  const until = Date.now() + event.delayMs;
  publish({ status: event.status, attempt: event.attempt, delayMs: event.delayMs, until });
  setTimeout(() => {
    if (waiting?.until === until) publish(null);
  }, event.delayMs + 50);
}

export const ld = createExpiringTargetsClient({ baseUrl: '/ld-proxy', maxRetries: 3, onRetry });

export const retryStore = {
  subscribe(listener: () => void) {
    listeners.add(listener);
    return () => void listeners.delete(listener);
  },
  get: () => waiting,
};

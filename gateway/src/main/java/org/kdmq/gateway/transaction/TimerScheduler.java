package org.kdmq.gateway.transaction;

import java.util.concurrent.TimeUnit;

/**
 * Schedules the transaction timers. Injected so tests can run RFC 3261's schedules on a virtual clock.
 * Tasks must be quick: they run on the timer's thread.
 */
public interface TimerScheduler {
    /** A scheduled task that can be cancelled. */
    interface Timeout {
        void cancel();
    }

    Timeout schedule(Runnable task, long delay, TimeUnit unit);

    /** The scheduler's clock, in milliseconds from an arbitrary origin. */
    default long nowMillis() {
        return System.nanoTime() / 1_000_000;
    }
}

package org.kdmq.gateway.bench;

import java.util.concurrent.Semaphore;

/** When the load generator may send its next message, and which time that message's latency counts from. */
interface Pacing {
    /**
     * Waits until message {@code index} may go and takes one in-flight permit for it.
     *
     * @return the message's intended send time (nanoseconds on the generator's clock)
     */
    long awaitTurn(long index, Semaphore inFlight) throws InterruptedException;

    /**
     * Open loop: message i is meant to leave at {@code start + i / rate}, whatever happened before it.
     * Latency counts from that intended time, so a stall (GC, a full in-flight window, a slow send) shows
     * up in the latencies of every message it delayed instead of silently lowering the offered load
     * (no coordinated omission). Messages behind schedule go out at once, back to back.
     */
    static Pacing openLoop(long ratePerSecond, long start, NanoClock clock) {
        if (ratePerSecond < 1) {
            throw new IllegalArgumentException("rate must be at least 1 per second");
        }
        return (index, inFlight) -> {
            long intended = start + intendedOffset(index, ratePerSecond);
            clock.parkUntil(intended);
            inFlight.acquire();
            return intended;
        };
    }

    /** Closed loop: as fast as the in-flight window allows; a message's time starts when it gets its permit. */
    static Pacing closedLoop(NanoClock clock) {
        return (index, inFlight) -> {
            inFlight.acquire();
            return clock.nanoTime();
        };
    }

    /** {@code index * 1e9 / rate} nanoseconds, exact and without overflow for any realistic run. */
    static long intendedOffset(long index, long ratePerSecond) {
        long seconds = index / ratePerSecond;
        long remainder = index % ratePerSecond;
        return seconds * 1_000_000_000L + remainder * 1_000_000_000L / ratePerSecond;
    }
}

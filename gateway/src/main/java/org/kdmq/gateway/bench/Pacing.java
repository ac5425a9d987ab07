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

    /**
     * Closed loop until {@code switchAt}, then {@code after} with its own message numbering from 0. An
     * open-loop run warms up this way: a cold JVM cannot keep up with the target rate, and the backlog
     * it would build (and the UDP retransmissions it would trigger) would still be draining when the
     * measurement starts.
     */
    static Pacing closedLoopUntil(long switchAt, NanoClock clock, Pacing after) {
        return new Pacing() {
            private long firstAfter = -1; // index of the first message paced by "after"; only the generator's thread

            @Override
            public long awaitTurn(long index, Semaphore inFlight) throws InterruptedException {
                if (firstAfter < 0) {
                    inFlight.acquire();
                    long now = clock.nanoTime();
                    if (now - switchAt < 0) {
                        return now;
                    }
                    inFlight.release();
                    firstAfter = index;
                }
                return after.awaitTurn(index - firstAfter, inFlight);
            }
        };
    }

    /** {@code index * 1e9 / rate} nanoseconds, exact and without overflow for any realistic run. */
    static long intendedOffset(long index, long ratePerSecond) {
        long seconds = index / ratePerSecond;
        long remainder = index % ratePerSecond;
        return seconds * 1_000_000_000L + remainder * 1_000_000_000L / ratePerSecond;
    }
}

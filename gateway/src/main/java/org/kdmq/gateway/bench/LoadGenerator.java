package org.kdmq.gateway.bench;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The send loop, run on a thread of its own (never a Netty event loop): paces messages, hands them to
 * the sender, and books each completion against the message's intended send time.
 */
final class LoadGenerator {
    private final Pacing pacing;
    private final Phases phases;
    private final MessageSender sender;
    private final BenchStats stats;
    private final int maxInFlight;
    private final Semaphore inFlight;

    /** {@code maxInFlight} bounds unanswered messages whatever the pacing: it keeps memory bounded. */
    LoadGenerator(Pacing pacing, Phases phases, int maxInFlight, MessageSender sender, BenchStats stats) {
        this.pacing = pacing;
        this.phases = phases;
        this.sender = sender;
        this.stats = stats;
        this.maxInFlight = maxInFlight;
        this.inFlight = new Semaphore(maxInFlight);
    }

    /** Sends until the run is over; returns how many messages went out, warm-up included. */
    long run() throws InterruptedException {
        long counted = 0;
        long index = 0;
        while (true) {
            long intended = pacing.awaitTurn(index);
            if (phases.finished(intended, counted)) {
                pacing.completed(); // the turn is not used
                return index;
            }
            inFlight.acquire();
            int phase = phases.phase(intended);
            BenchStats.Tally tally = stats.tally(phase);
            tally.sent();
            sender.send(outcome -> {
                stats.completed(tally, intended, outcome);
                inFlight.release();
                pacing.completed();
            });
            index++;
            counted += phase; // MEASURED is 1

        }
    }

    /** Waits for every message sent to complete; false when some are still out after the timeout. */
    boolean awaitCompletion(Duration timeout) throws InterruptedException {
        if (!inFlight.tryAcquire(maxInFlight, timeout.toNanos(), TimeUnit.NANOSECONDS)) {
            return false;
        }
        inFlight.release(maxInFlight);
        return true;
    }

    int inFlight() {
        return maxInFlight - inFlight.availablePermits();
    }
}

package org.kdmq.gateway.transaction;

import java.util.concurrent.atomic.LongAdder;

/** Transaction counters, read by the metrics endpoint. */
public final class TransactionStats {
    final LongAdder clientStarted = new LongAdder();
    final LongAdder retransmissions = new LongAdder();
    final LongAdder timeouts = new LongAdder();
    final LongAdder transportErrors = new LongAdder();
    final LongAdder strayResponses = new LongAdder();
    final LongAdder serverStarted = new LongAdder();
    final LongAdder requestRetransmissionsAbsorbed = new LongAdder();
    final LongAdder abandoned = new LongAdder();
    final LongAdder answersEvictedEarly = new LongAdder();

    public long clientStarted() {
        return clientStarted.sum();
    }

    /** Requests we sent again because no answer came (timer E). */
    public long retransmissions() {
        return retransmissions.sum();
    }

    /** Client transactions ended by timer F with a local 408. */
    public long timeouts() {
        return timeouts.sum();
    }

    /** Client transactions ended by a send failure with a local 503. */
    public long transportErrors() {
        return transportErrors.sum();
    }

    public long strayResponses() {
        return strayResponses.sum();
    }

    public long serverStarted() {
        return serverStarted.sum();
    }

    /** Answered transactions let go before timer J because too many were kept (see MAX_RETAINED_ANSWERS). */
    public long answersEvictedEarly() {
        return answersEvictedEarly.sum();
    }

    /** Retransmitted requests answered from the transaction instead of reaching the application. */
    public long requestRetransmissionsAbsorbed() {
        return requestRetransmissionsAbsorbed.sum();
    }

    /** Server transactions the application never answered. */
    public long abandoned() {
        return abandoned.sum();
    }
}

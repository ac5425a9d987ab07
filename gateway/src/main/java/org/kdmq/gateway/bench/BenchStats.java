package org.kdmq.gateway.bench;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What the bench counts, written from the generator's thread (sends) and from reply threads
 * (completions). Latencies of delivered, counted messages go to an HdrHistogram {@link Recorder} in
 * microseconds; whoever reads them drains it into the total, so writers never lock.
 */
final class BenchStats {
    private static final int SIGNIFICANT_DIGITS = 3;

    private final Recorder recorder = new Recorder(SIGNIFICANT_DIGITS);
    private final Histogram total = new Histogram(SIGNIFICANT_DIGITS);
    private final LongAdder sent = new LongAdder();
    private final LongAdder delivered = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder okRequests = new LongAdder();
    private final LongAdder warmupSent = new LongAdder();
    private final LongAdder completedThisSecond = new LongAdder();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final AtomicLong lastCompletion = new AtomicLong(Long.MIN_VALUE);

    void sent(boolean counted) {
        (counted ? sent : warmupSent).increment();
    }

    void completed(boolean counted, long intended, Outcome outcome) {
        if (outcome.delivered()) {
            completedThisSecond.increment();
        }
        if (!counted) {
            return;
        }
        // nanoTime values compare by their difference; MIN_VALUE stands for "none yet"
        lastCompletion.accumulateAndGet(outcome.completedAt(), (a, b) -> a == Long.MIN_VALUE || b - a > 0 ? b : a);
        okRequests.add(outcome.okReplies());
        for (String status : outcome.errors()) {
            errors.computeIfAbsent(status, s -> new LongAdder()).increment();
        }
        if (outcome.delivered()) {
            delivered.increment();
            long micros = TimeUnit.NANOSECONDS.toMicros(Math.max(0, outcome.completedAt() - intended));
            recorder.recordValue(micros);
        } else {
            failed.increment();
        }
    }

    /** Latencies of delivered messages so far (a copy), in microseconds. */
    synchronized Histogram latencies() {
        total.add(recorder.getIntervalHistogram());
        return total.copy();
    }

    /** Messages delivered (warm-up included) since the last call: the progress line's rate. */
    long deliveredSinceLastAsked() {
        return completedThisSecond.sumThenReset();
    }

    long sent() {
        return sent.sum();
    }

    long warmupSent() {
        return warmupSent.sum();
    }

    long delivered() {
        return delivered.sum();
    }

    long failed() {
        return failed.sum();
    }

    /** 2xx replies: KDMQ requests delivered (a bcast to two nodes is two). */
    long okRequests() {
        return okRequests.sum();
    }

    long errorCount() {
        return errors.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** Non-2xx replies and local failures, by status, sorted. */
    Map<String, Long> errorsByStatus() {
        Map<String, Long> out = new TreeMap<>();
        errors.forEach((status, n) -> out.put(status, n.sum()));
        return out;
    }

    /** When the last counted message completed, or {@code Long.MIN_VALUE} if none has. */
    long lastCompletion() {
        return lastCompletion.get();
    }
}

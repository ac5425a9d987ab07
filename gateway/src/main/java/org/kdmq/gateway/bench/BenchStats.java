package org.kdmq.gateway.bench;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What the bench counts, written from the generator's thread (sends) and from reply threads
 * (completions). Warm-up and measured messages are booked alike, each into the {@link Tally} of its
 * phase, so that the JIT has compiled the very code the measured part runs: with warm-up completions
 * skipped, the first measured one hit a branch compiled as never taken, and the JVM threw away and
 * recompiled the whole reply path (a quarter of the sender's CPU in the first seconds of measuring).
 * For the same reason nothing on the reply path branches on "first time" or resizes. Reports read the
 * measured tally.
 */
final class BenchStats {
    private final long epoch;
    private final Tally[] tallies = {new Tally(), new Tally()};
    private final LongAdder completedThisSecond = new LongAdder();

    /** @param epoch a clock reading taken before the first message is sent */
    BenchStats(long epoch) {
        this.epoch = epoch;
    }

    /** The tally of a phase, {@link Phases#WARM_UP} or {@link Phases#MEASURED}. */
    Tally tally(int phase) {
        return tallies[phase];
    }

    void completed(Tally tally, long intended, Outcome outcome) {
        if (outcome.delivered()) {
            completedThisSecond.increment();
        }
        tally.completed(intended, outcome.completedAt() - epoch, outcome);
    }

    /** Latencies of measured, delivered messages so far (a copy), in microseconds. */
    Histogram latencies() {
        return latencies(Phases.MEASURED);
    }

    /** Latencies of a phase's delivered messages so far (a copy), in microseconds. */
    Histogram latencies(int phase) {
        return tallies[phase].latencies();
    }

    /** Messages delivered (warm-up included) since the last call: the progress line's rate. */
    long deliveredSinceLastAsked() {
        return completedThisSecond.sumThenReset();
    }

    long sent() {
        return measured().sent.sum();
    }

    long warmupSent() {
        return tallies[Phases.WARM_UP].sent.sum();
    }

    long delivered() {
        return measured().delivered.sum();
    }

    long failed() {
        return measured().failed.sum();
    }

    /** 2xx replies: KDMQ requests delivered (a bcast to two nodes is two). */
    long okRequests() {
        return measured().okRequests.sum();
    }

    long errorCount() {
        return errorCount(Phases.MEASURED);
    }

    long errorCount(int phase) {
        return tallies[phase].errors.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** Non-2xx replies and local failures, by status, sorted. */
    Map<String, Long> errorsByStatus() {
        Map<String, Long> out = new TreeMap<>();
        measured().errors.forEach((status, n) -> out.put(status, n.sum()));
        return out;
    }

    /** When the last measured message completed, or {@code Long.MIN_VALUE} if none has. */
    long lastCompletion() {
        long sinceEpoch = measured().lastCompletion.get();
        return sinceEpoch < 0 ? Long.MIN_VALUE : epoch + sinceEpoch;
    }

    private Tally measured() {
        return tallies[Phases.MEASURED];
    }

    /**
     * The counts of one phase. Latencies of delivered messages go to an HdrHistogram {@link Recorder}
     * in microseconds; whoever reads them drains it into the total, so writers never lock.
     */
    static final class Tally {
        private static final int SIGNIFICANT_DIGITS = 3;
        // A fixed range: an auto-resizing histogram grows on the first slow reply of each phase.
        private static final long HIGHEST_MICROS = TimeUnit.HOURS.toMicros(1);

        private final Recorder recorder = new Recorder(HIGHEST_MICROS, SIGNIFICANT_DIGITS);
        private final Histogram total = new Histogram(HIGHEST_MICROS, SIGNIFICANT_DIGITS);
        private final LongAdder sent = new LongAdder();
        private final LongAdder delivered = new LongAdder();
        private final LongAdder failed = new LongAdder();
        private final LongAdder okRequests = new LongAdder();
        private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
        // the latest completion, in nanoseconds since the epoch; -1: none yet
        private final LongAccumulator lastCompletion = new LongAccumulator(Math::max, -1);

        void sent() {
            sent.increment();
        }

        private void completed(long intended, long sinceEpoch, Outcome outcome) {
            lastCompletion.accumulate(sinceEpoch);
            okRequests.add(outcome.okReplies());
            for (String status : outcome.errors()) {
                errors.computeIfAbsent(status, s -> new LongAdder()).increment();
            }
            if (outcome.delivered()) {
                delivered.increment();
                long micros = TimeUnit.NANOSECONDS.toMicros(Math.max(0, outcome.completedAt() - intended));
                recorder.recordValue(Math.min(micros, HIGHEST_MICROS));
            } else {
                failed.increment();
            }
        }

        private synchronized Histogram latencies() {
            total.add(recorder.getIntervalHistogram());
            return total.copy();
        }
    }
}

package org.kdmq.gateway.bench;

/**
 * Warm-up, then the measured part: messages whose intended time is before {@code measureStart} are
 * sent but not counted; the run ends at {@code measureEnd} or after {@code count} counted messages.
 */
record Phases(long start, long measureStart, long measureEnd, long count) {
    static Phases of(long start, long warmupNanos, long durationNanos, long count) {
        long measureStart = start + warmupNanos;
        return new Phases(start, measureStart, durationNanos > 0 ? measureStart + durationNanos : Long.MAX_VALUE,
                count > 0 ? count : Long.MAX_VALUE);
    }

    boolean counts(long intended) {
        return intended - measureStart >= 0;
    }

    boolean finished(long intended, long countedSoFar) {
        return countedSoFar >= count || (measureEnd != Long.MAX_VALUE && intended - measureEnd >= 0);
    }
}

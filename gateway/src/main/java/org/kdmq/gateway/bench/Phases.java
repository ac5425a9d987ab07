package org.kdmq.gateway.bench;

/**
 * Warm-up, then the measured part: messages whose intended time is before {@code measureStart} are
 * sent but not counted; the run ends at {@code measureEnd} or after {@code count} counted messages.
 */
record Phases(long start, long measureStart, long measureEnd, long count) {
    static final int WARM_UP = 0;
    static final int MEASURED = 1;

    static Phases of(long start, long warmupNanos, long durationNanos, long count) {
        long measureStart = start + warmupNanos;
        return new Phases(start, measureStart, durationNanos > 0 ? measureStart + durationNanos : Long.MAX_VALUE,
                count > 0 ? count : Long.MAX_VALUE);
    }

    /** Where an open-loop run leaves its closed-loop warm-up for the measured schedule ({@link Pacing#openLoopRun}). */
    long openLoopFrom() {
        return measureStart - (measureStart - start) / 2;
    }

    /**
     * {@link #WARM_UP} or {@link #MEASURED}, without a branch (the sign bit of the time since the
     * measured part began): a branch never taken in the warm-up would be compiled as never taken, and
     * the send loop recompiled at the worst moment, as measuring starts.
     */
    int phase(long intended) {
        return (int) (~(intended - measureStart) >>> 63);
    }

    boolean finished(long intended, long countedSoFar) {
        return countedSoFar >= count || (measureEnd != Long.MAX_VALUE && intended - measureEnd >= 0);
    }
}

package org.kdmq.gateway.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** The open-loop schedule on a fake clock: intended times, catching up after a stall, counting from intended times. */
class BenchPacingTest {
    private static final long MS = 1_000_000L;

    /** Time moves only when the generator parks or a test sender says so. */
    static final class FakeClock implements NanoClock {
        long now;

        @Override
        public long nanoTime() {
            return now;
        }

        @Override
        public void parkUntil(long deadline) {
            now = Math.max(now, deadline);
        }
    }

    /** Records when each message was sent, completes it at once; sends may take time, or stall once. */
    static final class RecordingSender implements MessageSender {
        final FakeClock clock;
        final List<Long> sentAt = new ArrayList<>();
        long sendNanos;
        int stallOnMessage = -1;
        long stallNanos;

        RecordingSender(FakeClock clock) {
            this.clock = clock;
        }

        @Override
        public void send(Consumer<Outcome> done) {
            sentAt.add(clock.now);
            clock.now += sendNanos;
            if (sentAt.size() - 1 == stallOnMessage) {
                clock.now += stallNanos; // a send that took long, e.g. a GC pause
            }
            done.accept(new Outcome(1, List.of(), clock.now));
        }
    }

    @Test
    void intendedTimesAreExactMultiplesOfThePeriod() {
        assertEquals(0, Pacing.intendedOffset(0, 3));
        assertEquals(333_333_333L, Pacing.intendedOffset(1, 3));
        assertEquals(666_666_666L, Pacing.intendedOffset(2, 3));
        assertEquals(1_000_000_000L, Pacing.intendedOffset(3, 3));
        assertEquals(3_600_000_000_000L, Pacing.intendedOffset(3_600_000_000L, 1_000_000), "an hour at 1M/s");
    }

    @Test
    void openLoopSendsAtIntendedTimesAndStopsAtTheEndOfTheDuration() throws Exception {
        FakeClock clock = new FakeClock();
        clock.now = 5 * MS;
        long start = clock.now;
        RecordingSender sender = new RecordingSender(clock);
        BenchStats stats = new BenchStats(start);
        LoadGenerator generator = new LoadGenerator(Pacing.openLoop(1000, start, 0, clock),
                Phases.of(start, 0, 10 * MS, 0), 100, sender, stats);

        assertEquals(10, generator.run());
        for (int i = 0; i < 10; i++) {
            assertEquals(start + i * MS, sender.sentAt.get(i), "message " + i);
        }
        assertEquals(10, stats.sent());
        assertEquals(10, stats.delivered());
        assertEquals(0, stats.latencies().getMaxValue(), "sent on time, answered at once");
        assertEquals(start + 9 * MS, stats.lastCompletion());
    }

    @Test
    void inTicksTheMessagesDueWithinATickLeaveTogetherAtItsStart() throws Exception {
        FakeClock clock = new FakeClock();
        RecordingSender sender = new RecordingSender(clock);
        BenchStats stats = new BenchStats(0);
        // 4000/s: one message every 250 us, in ticks of 1 ms: four at 0, four at 1 ms, two at 2 ms
        LoadGenerator generator = new LoadGenerator(Pacing.openLoop(4000, 0, MS, clock), Phases.of(0, 0, 0, 10), 100,
                sender, stats);

        assertEquals(10, generator.run());
        assertEquals(List.of(0L, 0L, 0L, 0L, MS, MS, MS, MS, 2 * MS, 2 * MS), sender.sentAt);
        assertEquals(0, stats.latencies().getMaxValue(), "each left at its tick's start: latency counts from there");
    }

    @Test
    void ticksKeepTheRateOverTime() throws Exception {
        FakeClock clock = new FakeClock();
        RecordingSender sender = new RecordingSender(clock);
        // 3 per second in ticks of 400 ms: the offsets 0, 333, 666, 1000, 1333, 1666 ms fall in the ticks
        // starting at 0, 0, 400, 800, 1200, 1600 ms: never later than meant, and still 3 a second
        LoadGenerator generator = new LoadGenerator(Pacing.openLoop(3, 0, 400 * MS, clock), Phases.of(0, 0, 0, 6), 100,
                sender, new BenchStats(0));

        assertEquals(6, generator.run());
        assertEquals(List.of(0L, 0L, 400 * MS, 800 * MS, 1200 * MS, 1600 * MS), sender.sentAt);
    }

    @Test
    void afterAStallTheBacklogGoesOutAtOnceAndItsLatencyCountsFromTheIntendedTimes() throws Exception {
        FakeClock clock = new FakeClock();
        RecordingSender sender = new RecordingSender(clock);
        sender.stallOnMessage = 2;
        sender.stallNanos = 5 * MS;
        BenchStats stats = new BenchStats(0);
        LoadGenerator generator = new LoadGenerator(Pacing.openLoop(1000, 0, 0, clock), Phases.of(0, 0, 0, 10), 100,
                sender, stats);

        assertEquals(10, generator.run());
        // message 2 is stuck from 2 ms to 7 ms; messages 3..7 were due meanwhile and go out at 7 ms
        assertEquals(List.of(0L, 1 * MS, 2 * MS, 7 * MS, 7 * MS, 7 * MS, 7 * MS, 7 * MS, 8 * MS, 9 * MS), sender.sentAt);
        Histogram latencies = stats.latencies();
        assertEquals(10, latencies.getTotalCount(), "no message skipped");
        assertTrue(latencies.valuesAreEquivalent(5000, latencies.getMaxValue()), "message 2 took 5 ms");
        // 2..7 waited 5, 4, 3, 2, 1, 0 ms: 15 ms in all, where a closed loop would have recorded one slow message
        assertEquals(15_000, latencies.getMean() * latencies.getTotalCount(), 15.0, "HdrHistogram: 3 digits");
    }

    @Test
    void thePhaseTurnsToMeasuredAtMeasureStartAcrossTheNanoTimeWrap() {
        for (long start : new long[] {0, -5 * MS, Long.MAX_VALUE - 3 * MS}) {
            Phases phases = Phases.of(start, 10 * MS, 0, 1);
            assertEquals(Phases.WARM_UP, phases.phase(start), "start " + start);
            assertEquals(Phases.WARM_UP, phases.phase(start + 10 * MS - 1), "start " + start);
            assertEquals(Phases.MEASURED, phases.phase(start + 10 * MS), "start " + start);
            assertEquals(Phases.MEASURED, phases.phase(start + 3_600_000 * MS), "start " + start);
        }
    }

    @Test
    void warmupMessagesAreSentButNotCounted() throws Exception {
        FakeClock clock = new FakeClock();
        RecordingSender sender = new RecordingSender(clock);
        BenchStats stats = new BenchStats(0);
        LoadGenerator generator = new LoadGenerator(Pacing.openLoop(100, 0, 0, clock), Phases.of(0, 50 * MS, 0, 20), 100,
                sender, stats);

        assertEquals(25, generator.run(), "5 in the warm-up (0..40 ms), then 20 counted");
        assertEquals(5, stats.warmupSent());
        assertEquals(20, stats.sent());
        assertEquals(20, stats.delivered());
        assertTrue(stats.errorsByStatus().isEmpty());
    }

    @Test
    void anOpenLoopRunWarmsUpClosedLoopThenKeepsItsScheduleFromTheEndOfTheWarmup() throws Exception {
        FakeClock clock = new FakeClock();
        RecordingSender sender = new RecordingSender(clock);
        sender.sendNanos = 3 * MS; // the closed-loop warm-up goes as fast as that
        Phases phases = Phases.of(0, 10 * MS, 0, 3);
        Pacing pacing = Pacing.switching(Pacing.closedLoop(1, clock), phases.measureStart(),
                Pacing.openLoop(100, phases.measureStart(), 0, clock));
        BenchStats stats = new BenchStats(0);

        assertEquals(7, new LoadGenerator(pacing, phases, 100, sender, stats).run());
        // warm-up: back to back at 0, 3, 6, 9 ms; measured: 10 ms apart from 10 ms on, though 12 ms had already passed
        assertEquals(List.of(0L, 3 * MS, 6 * MS, 9 * MS, 12 * MS, 20 * MS, 30 * MS), sender.sentAt);
        assertEquals(4, stats.warmupSent());
        assertEquals(3, stats.sent());
        assertTrue(stats.latencies().valuesAreEquivalent(5000, stats.latencies().getMaxValue()),
                "the first measured message was due at 10 ms, sent at 12 ms and done at 15 ms");
    }

    @Test
    void anOpenLoopRunSpendsTheSecondHalfOfItsWarmupOnTheMeasuredSchedule() throws Exception {
        FakeClock clock = new FakeClock();
        RecordingSender sender = new RecordingSender(clock);
        sender.sendNanos = 3 * MS;
        Phases phases = Phases.of(0, 20 * MS, 0, 3);
        assertEquals(10 * MS, phases.openLoopFrom());
        Pacing pacing = Pacing.openLoopRun(phases, 1, 100, 0, clock);
        BenchStats stats = new BenchStats(0);

        assertEquals(8, new LoadGenerator(pacing, phases, 100, sender, stats).run());
        // closed loop at 0, 3, 6, 9 ms; from 10 ms every 10 ms: the one due at 10 (sent at 12) still warms
        // up, the measured ones run on the schedule it set and none is late
        assertEquals(List.of(0L, 3 * MS, 6 * MS, 9 * MS, 12 * MS, 20 * MS, 30 * MS, 40 * MS), sender.sentAt);
        assertEquals(5, stats.warmupSent());
        assertEquals(3, stats.sent());
        assertTrue(stats.latencies().valuesAreEquivalent(3000, stats.latencies().getMaxValue()),
                "3 ms each, from its intended time");
    }

    @Test
    void aFullClosedLoopWindowIsRefilledInBurstsOfASixteenth() throws Exception {
        Pacing pacing = Pacing.closedLoop(32, NanoClock.SYSTEM);
        java.util.concurrent.atomic.AtomicInteger sent = new java.util.concurrent.atomic.AtomicInteger();
        Thread generator = new Thread(() -> {
            try {
                for (long i = 0; i < 36; i++) {
                    pacing.awaitTurn(i);
                    sent.incrementAndGet();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        generator.start();
        awaitWaiting(generator, sent, 32);
        pacing.completed(); // 31 unanswered: the generator is not woken for one answer
        assertEquals(32, sent.get());
        pacing.completed(); // 30 = 32 - 32/16: it may refill the window
        awaitWaiting(generator, sent, 34);
        pacing.completed();
        pacing.completed();
        generator.join(10_000);
        assertEquals(36, sent.get());
    }

    private static void awaitWaiting(Thread generator, java.util.concurrent.atomic.AtomicInteger sent, int expected) {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (!(sent.get() == expected && generator.getState() == Thread.State.WAITING)) {
            assertTrue(System.nanoTime() < deadline, "sent " + sent.get() + ", expected " + expected);
            Thread.onSpinWait();
        }
    }
}

package org.kdmq.gateway.bench;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/** When the load generator may send its next message, and which time that message's latency counts from. */
interface Pacing {
    /**
     * Waits until message {@code index} may go.
     *
     * @return the message's intended send time (nanoseconds on the generator's clock)
     */
    long awaitTurn(long index) throws InterruptedException;

    /** One message this pacing let go has completed (any thread). */
    default void completed() {
    }

    /**
     * Open loop: message i is meant to leave at {@code start + i / rate}, whatever happened before it.
     * Latency counts from that intended time, so a stall (GC, a slow send) shows up in the latencies of
     * every message it delayed instead of silently lowering the offered load (no coordinated omission).
     * Messages behind schedule go out at once, back to back.
     *
     * <p>With a {@code tickNanos} above 0 the schedule is kept in ticks, as sipp's timer resolution does:
     * the messages due within a tick are all meant for its start and leave together. Sending each at its
     * own time costs a thread wake-up per message, in the generator and on every node's network thread,
     * which on 2 cores took as much CPU as the nodes' work (2.5 context switches per broadcast against
     * 0.4 closed loop).
     */
    static Pacing openLoop(long ratePerSecond, long start, long tickNanos, NanoClock clock) {
        if (ratePerSecond < 1) {
            throw new IllegalArgumentException("rate must be at least 1 per second");
        }
        if (tickNanos < 0) {
            throw new IllegalArgumentException("tick must be >= 0");
        }
        return index -> {
            long offset = intendedOffset(index, ratePerSecond);
            long intended = start + (tickNanos > 0 ? offset - offset % tickNanos : offset);
            clock.parkUntil(intended);
            return intended;
        };
    }

    /**
     * Closed loop: as fast as a window of {@code window} unanswered messages allows; time starts at the
     * send. A full window is refilled in bursts: the generator waits until a sixteenth of it has been
     * answered, rather than being woken for each answer (a thread wake-up per message costs the sender
     * more than the message).
     */
    static Pacing closedLoop(int window, NanoClock clock) {
        if (window < 1) {
            throw new IllegalArgumentException("window must be at least 1");
        }
        int resumeAt = window - Math.max(1, window / 16);
        AtomicInteger unanswered = new AtomicInteger();
        AtomicReference<Thread> waiting = new AtomicReference<>();
        return new Pacing() {
            @Override
            public long awaitTurn(long index) throws InterruptedException {
                if (unanswered.get() >= window) {
                    waiting.set(Thread.currentThread()); // before the check: completed() sees one or the other
                    while (unanswered.get() > resumeAt) {
                        LockSupport.park(this);
                        if (Thread.interrupted()) {
                            waiting.set(null);
                            throw new InterruptedException();
                        }
                    }
                    waiting.set(null);
                }
                unanswered.incrementAndGet();
                return clock.nanoTime();
            }

            @Override
            public void completed() {
                if (unanswered.decrementAndGet() == resumeAt) {
                    Thread generator = waiting.get();
                    if (generator != null) {
                        LockSupport.unpark(generator);
                    }
                }
            }
        };
    }

    /**
     * {@code warmup} until {@code switchAt}, then {@code after} with its own message numbering from 0. An
     * open-loop run starts its warm-up closed loop: a cold JVM cannot keep up with the target rate, and the
     * backlog it would build (and the UDP retransmissions it would trigger) would still be draining when
     * the measurement starts. It switches half-way through the warm-up ({@link #openLoopRun}).
     */
    static Pacing switching(Pacing warmup, long switchAt, Pacing after) {
        return new Pacing() {
            private volatile boolean switched;
            private long firstAfter; // index of the first message paced by "after"; only the generator's thread

            @Override
            public long awaitTurn(long index) throws InterruptedException {
                if (!switched) {
                    long intended = warmup.awaitTurn(index);
                    if (intended - switchAt < 0) {
                        return intended;
                    }
                    warmup.completed(); // that turn was not used
                    firstAfter = index;
                    switched = true;
                }
                return after.awaitTurn(index - firstAfter);
            }

            @Override
            public void completed() {
                // A warm-up message finishing after the switch frees a warm-up slot nobody waits for: harmless.
                (switched ? after : warmup).completed();
            }
        };
    }

    /**
     * An open-loop run: closed loop with {@code window} in flight for the first half of the warm-up, then
     * the measured schedule, open loop, from half-way through the warm-up ({@link Phases#openLoopFrom}).
     * The JIT then compiles what the measurement runs: code compiled while the closed loop kept its window
     * full was deoptimised at a switch straight into the open loop (JFR: traps in Netty's TLS write path
     * and our writers), ran slower while C2 compiled it again, and the backlog of those few hundred
     * milliseconds made a run at half the maximum shed load.
     */
    static Pacing openLoopRun(Phases phases, int window, long ratePerSecond, long tickNanos, NanoClock clock) {
        long openFrom = phases.openLoopFrom();
        return switching(closedLoop(window, clock), openFrom, openLoop(ratePerSecond, openFrom, tickNanos, clock));
    }

    /** {@code index * 1e9 / rate} nanoseconds, exact and without overflow for any realistic run. */
    static long intendedOffset(long index, long ratePerSecond) {
        long seconds = index / ratePerSecond;
        long remainder = index % ratePerSecond;
        return seconds * 1_000_000_000L + remainder * 1_000_000_000L / ratePerSecond;
    }
}

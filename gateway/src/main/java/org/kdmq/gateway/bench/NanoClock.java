package org.kdmq.gateway.bench;

import java.util.concurrent.locks.LockSupport;

/** Monotonic time in nanoseconds and a way to wait for a moment: the real one, or a fake one in tests. */
interface NanoClock {
    long nanoTime();

    /** Returns at or after {@code deadline} (at once when it has passed). */
    void parkUntil(long deadline) throws InterruptedException;

    NanoClock SYSTEM = new NanoClock() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public void parkUntil(long deadline) throws InterruptedException {
            for (long left = deadline - System.nanoTime(); left > 0; left = deadline - System.nanoTime()) {
                LockSupport.parkNanos(left);
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
            }
        }
    };
}

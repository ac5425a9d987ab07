package org.kdmq.gateway.transaction;

import java.time.Duration;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;

/** A deterministic clock for timer tests: {@link #advance} runs due tasks in time order. */
final class VirtualTimerScheduler implements TimerScheduler {
    private record Task(long due, long seq, Runnable run, boolean[] cancelled) {
    }

    private final PriorityQueue<Task> queue = new PriorityQueue<>((a, b) -> a.due != b.due
            ? Long.compare(a.due, b.due) : Long.compare(a.seq, b.seq));
    private long now;
    private long seq;

    @Override
    public synchronized Timeout schedule(Runnable task, long delay, TimeUnit unit) {
        boolean[] cancelled = {false};
        queue.add(new Task(now + unit.toMillis(delay), seq++, task, cancelled));
        return () -> cancelled[0] = true;
    }

    @Override
    public synchronized long nowMillis() {
        return now;
    }

    /** Tasks scheduled and neither run nor cancelled. */
    synchronized int pending() {
        return (int) queue.stream().filter(t -> !t.cancelled[0]).count();
    }

    void advance(Duration d) {
        long target = now + d.toMillis();
        while (true) {
            Task next;
            synchronized (this) {
                next = queue.peek();
                if (next == null || next.due > target) {
                    now = target;
                    return;
                }
                queue.poll();
                now = next.due;
            }
            if (!next.cancelled[0]) {
                next.run.run();
            }
        }
    }
}

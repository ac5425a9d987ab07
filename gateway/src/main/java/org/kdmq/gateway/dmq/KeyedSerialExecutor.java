package org.kdmq.gateway.dmq;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks on a shared pool, one at a time and in submission order per key (here: sending node and
 * channel), so a sender's messages on a channel are handled in the order they arrived while different
 * senders proceed in parallel. Bounded: {@link #submit} refuses work past {@code maxQueued} tasks.
 */
final class KeyedSerialExecutor {
    private static final Logger LOG = LoggerFactory.getLogger(KeyedSerialExecutor.class);

    private final Executor pool;
    private final int maxQueued;
    private final AtomicInteger queued = new AtomicInteger();
    private final Map<Object, Queue<Runnable>> lanes = new ConcurrentHashMap<>();

    KeyedSerialExecutor(Executor pool, int maxQueued) {
        this.pool = pool;
        this.maxQueued = maxQueued;
    }

    /** Queues a task behind the earlier tasks of its key; false when the executor is full. */
    boolean submit(Object key, Runnable task) {
        if (queued.incrementAndGet() > maxQueued) {
            queued.decrementAndGet();
            return false;
        }
        boolean startLane;
        Queue<Runnable> lane;
        while (true) {
            lane = lanes.computeIfAbsent(key, k -> new ArrayDeque<>());
            synchronized (lane) {
                if (lanes.get(key) != lane) {
                    continue; // retired by its drainer after we looked it up: take the new one
                }
                lane.add(task);
                startLane = lane.size() == 1;
                break;
            }
        }
        if (startLane) {
            Queue<Runnable> started = lane;
            try {
                pool.execute(() -> drain(key, started));
            } catch (RuntimeException e) {
                synchronized (started) {
                    queued.addAndGet(-started.size());
                    started.clear();
                    lanes.remove(key, started);
                }
                throw e;
            }
        }
        return true;
    }

    int queued() {
        return queued.get();
    }

    private void drain(Object key, Queue<Runnable> lane) {
        while (true) {
            Runnable next;
            synchronized (lane) {
                next = lane.peek();
            }
            try {
                next.run();
            } catch (RuntimeException e) {
                LOG.error("event=task_failed key={} error={}", key, e.toString(), e);
            }
            queued.decrementAndGet();
            synchronized (lane) {
                lane.poll();
                if (lane.isEmpty()) {
                    // Retire the idle lane under its lock; submit checks for this and starts a new one.
                    lanes.remove(key, lane);
                    return;
                }
            }
        }
    }
}

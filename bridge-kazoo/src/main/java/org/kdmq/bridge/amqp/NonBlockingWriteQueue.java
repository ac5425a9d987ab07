package org.kdmq.bridge.amqp;

import com.rabbitmq.client.impl.nio.NioQueue;
import com.rabbitmq.client.impl.nio.WriteRequest;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The NIO client's frame write queue, lock-free and never blocking the writer. The client's default
 * (a fair {@code ArrayBlockingQueue} of 10,000 frames) blocks a publisher for up to 10 s when full,
 * which is why publishing had to stay off the SIP network threads; with this queue a publish only
 * queues frames, so {@link ConfirmingPublisher} can publish on its caller's thread.
 *
 * <p>Unbounded on purpose: what bounds it is ours. Every frame on a publishing connection belongs to a
 * publish inside the {@link ConfirmingPublisher}'s confirm window (or to channel set-up and
 * heartbeats); on a consuming one, acks are bounded by the prefetch.
 */
final class NonBlockingWriteQueue implements NioQueue {
    private final ConcurrentLinkedQueue<WriteRequest> frames = new ConcurrentLinkedQueue<>();
    // ConcurrentLinkedQueue.size() walks the queue; the NIO loop asks for it on every write pass.
    private final AtomicInteger size = new AtomicInteger();

    @Override
    public boolean offer(WriteRequest writeRequest) {
        frames.add(writeRequest);
        size.incrementAndGet();
        return true;
    }

    @Override
    public int size() {
        return Math.max(0, size.get());
    }

    @Override
    public WriteRequest poll() {
        WriteRequest next = frames.poll();
        if (next != null) {
            size.decrementAndGet();
        }
        return next;
    }

    @Override
    public boolean isEmpty() {
        return frames.isEmpty();
    }
}

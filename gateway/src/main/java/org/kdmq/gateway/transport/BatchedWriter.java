package org.kdmq.gateway.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.util.AttributeKey;
import io.netty.util.internal.PlatformDependent;
import java.util.Queue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Writes to one channel from any thread, flushed in batches by the channel's event loop: one task
 * and one flush per batch instead of one wake-up and one system call per message. Under load a batch
 * of datagrams goes out with one sendmmsg (Netty's epoll transport), a batch of stream frames with
 * one writev; with a single message waiting it is a plain write and flush, as before.
 */
final class BatchedWriter {
    private static final AttributeKey<BatchedWriter> KEY = AttributeKey.valueOf(BatchedWriter.class, "writer");
    /** Bounds one event-loop task, so reads and timers get their turn between batches. */
    private static final int MAX_BATCH = 256;

    private record Pending(Object message, ChannelFutureListener onWritten) {
    }

    private final Channel channel;
    private final Queue<Pending> queue = PlatformDependent.newMpscQueue();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Runnable drain = this::drain;

    private BatchedWriter(Channel channel) {
        this.channel = channel;
    }

    /** The writer of {@code channel}, made on first use. */
    static BatchedWriter of(Channel channel) {
        BatchedWriter writer = channel.attr(KEY).get();
        if (writer == null) {
            BatchedWriter made = new BatchedWriter(channel);
            writer = channel.attr(KEY).setIfAbsent(made);
            writer = writer == null ? made : writer;
        }
        return writer;
    }

    /** Queues {@code message}; {@code onWritten} sees the outcome of its write. */
    void write(Object message, ChannelFutureListener onWritten) {
        queue.add(new Pending(message, onWritten));
        if (scheduled.compareAndSet(false, true)) {
            schedule();
        }
    }

    private void schedule() {
        try {
            channel.eventLoop().execute(drain);
        } catch (RejectedExecutionException e) {
            // The event loop is shutting down: fail what waits rather than leave it waiting.
            Pending p;
            while ((p = queue.poll()) != null) {
                io.netty.util.ReferenceCountUtil.release(p.message());
                channel.newFailedFuture(e).addListener(p.onWritten());
            }
        }
    }

    private void drain() {
        int written = 0;
        Pending p;
        while (written < MAX_BATCH && (p = queue.poll()) != null) {
            channel.write(p.message()).addListener(p.onWritten());
            written++;
        }
        channel.flush();
        scheduled.set(false);
        // Something queued after the last poll (or past the batch bound) still needs a run.
        if (!queue.isEmpty() && scheduled.compareAndSet(false, true)) {
            schedule();
        }
    }
}

package org.kdmq.bridge.amqp;

import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The consumer executor of our event-driven connections: deliveries run on the event loop that read
 * them, where the client's default hands each one to a pool thread (a wake-up per delivery, which on
 * the small VMs we measure on costs more than the delivery's own work).
 *
 * <p>Safe only because nothing we run for a delivery blocks: our consumers parse, send KDMQ
 * asynchronously and ack or reject, and on the event loop an ack only queues a frame. A consumer that
 * made a synchronous channel call (a declare, a {@code basicQos}) from a delivery would wait for the
 * thread it runs on; ours do not, and {@code TargetedRequester} hands replies on so callers'
 * continuations never run here. Blocking-I/O connections keep the client's pool: an ack there writes
 * the socket, and must not on its reader.
 */
final class InlineDeliveries extends AbstractExecutorService {
    static final InlineDeliveries INSTANCE = new InlineDeliveries();

    private InlineDeliveries() {
    }

    @Override
    public void execute(Runnable task) {
        task.run();
    }

    // Shared by every connection and never shut down: the client does not shut down an executor it was given.
    @Override
    public void shutdown() {
    }

    @Override
    public List<Runnable> shutdownNow() {
        return List.of();
    }

    @Override
    public boolean isShutdown() {
        return false;
    }

    @Override
    public boolean isTerminated() {
        return false;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return false;
    }
}

package org.kdmq.bridge.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes with RabbitMQ publisher confirms: each publish completes when the broker acks it
 * (at-least-once), fails when it nacks. One thread owns the AMQP channel (channels are not for sharing
 * between threads); callers never block. With no broker, or more than {@code maxOutstanding}
 * unconfirmed, messages wait in a bounded buffer; when that is full a publish fails at once ("buffer
 * full"), counted, never dropped silently. After a connection recovery every unconfirmed message is
 * sent again (the broker may see it twice; consumers dedupe by Msg-ID).
 */
public final class ConfirmingPublisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConfirmingPublisher.class);

    /** One message to publish. */
    public record Message(String exchange, String routingKey, AMQP.BasicProperties properties, byte[] body) {
    }

    private record Pending(Message message, CompletableFuture<Void> done) {
    }

    private final int maxOutstanding;
    private final int bufferSize;
    private final ExecutorService owner = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "amqp-publisher");
        t.setDaemon(true);
        return t;
    });
    private final ExecutorService completer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "amqp-confirms");
        t.setDaemon(true);
        return t;
    });
    // Touched only on the owner thread, except the confirm map (the client's confirm thread acks into it).
    private final Deque<Pending> buffer = new ArrayDeque<>();
    private final ConcurrentSkipListMap<Long, Pending> unconfirmed = new ConcurrentSkipListMap<>();
    private final Queue<Pending> incoming = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private Channel channel;
    private final LongAdder published = new LongAdder();
    private final LongAdder confirmed = new LongAdder();
    private final LongAdder nacked = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder republished = new LongAdder();
    private volatile int buffered;

    public ConfirmingPublisher(int maxOutstanding, int bufferSize) {
        if (maxOutstanding < 1 || bufferSize < 0) {
            throw new IllegalArgumentException("need maxOutstanding >= 1 and bufferSize >= 0");
        }
        this.maxOutstanding = maxOutstanding;
        this.bufferSize = bufferSize;
    }

    /**
     * Starts publishing on this connection (opened by {@link AmqpConnector}, so it recovers by itself).
     * Attaching another connection later moves publishing there (failover): what the old one had not
     * confirmed is sent again on the new one.
     */
    public void attach(Connection connection) {
        owner.execute(() -> {
            if (channel != null) {
                Deque<Pending> again = new ArrayDeque<>(unconfirmed.values());
                unconfirmed.clear();
                republished.add(again.size());
                while (!again.isEmpty()) {
                    buffer.addFirst(again.pollLast());
                }
                Channel old = channel;
                channel = null;
                try {
                    old.close();
                } catch (Exception ignored) {
                    // the old connection is usually dead already
                }
            }
            openChannel(connection);
        });
    }

    /** Owner thread: a confirm-mode channel on the connection, then sends what waits. */
    private void openChannel(Connection connection) {
        try {
            Channel ch = connection.createChannel();
            ch.confirmSelect();
            ch.addConfirmListener((seq, multiple) -> settle(seq, multiple, true),
                    (seq, multiple) -> settle(seq, multiple, false));
            if (ch instanceof Recoverable recoverable) {
                recoverable.addRecoveryListener(new RecoveryListener() {
                    @Override
                    public void handleRecovery(Recoverable r) {
                        owner.execute(ConfirmingPublisher.this::resendUnconfirmed);
                    }

                    @Override
                    public void handleRecoveryStarted(Recoverable r) {
                        // nothing: messages wait in the buffer meanwhile
                    }
                });
            }
            ch.addShutdownListener(cause -> {
                if (!cause.isHardError() && !cause.isInitiatedByApplication()) {
                    owner.execute(() -> channelClosedByBroker(ch, connection, cause));
                }
            });
            channel = ch;
            drain();
        } catch (IOException e) {
            LOG.error("event=amqp_publisher_channel_failed error={}", e.toString());
        }
    }

    /**
     * The broker closed our channel (a publish to an exchange that is gone: 404). Recovery does not
     * reopen a channel on a live connection, so we do. What was unconfirmed on it fails with the
     * broker's reason instead of being sent again: resending would close the new channel the same way.
     */
    private void channelClosedByBroker(Channel closed, Connection connection, Exception cause) {
        if (channel != closed) {
            return;
        }
        channel = null;
        IOException failure = new IOException("broker closed the publishing channel: " + cause.getMessage());
        for (Pending p : unconfirmed.values()) {
            nacked.increment();
            p.done().completeExceptionally(failure);
        }
        unconfirmed.clear();
        LOG.warn("event=amqp_publisher_channel_closed reason=\"{}\"", cause.getMessage());
        if (connection.isOpen()) {
            openChannel(connection);
        }
    }

    /** Publishes; the future completes on the broker's ack, fails on a nack or a full buffer. */
    public CompletableFuture<Void> publish(Message message) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        incoming.add(new Pending(message, done));
        scheduleDrain();
        return done;
    }

    /**
     * One owner-thread task takes everything published since the last one: under load a task per
     * batch, not a thread hand-off (and a wake-up) per message.
     */
    private void scheduleDrain() {
        if (drainScheduled.compareAndSet(false, true)) {
            try {
                owner.execute(this::takeIncoming);
            } catch (RejectedExecutionException e) {
                Pending p;
                while ((p = incoming.poll()) != null) {
                    p.done().completeExceptionally(new IOException("publisher closed"));
                }
            }
        }
    }

    private void takeIncoming() {
        drainScheduled.set(false); // before polling: a publish after this point schedules another run
        Pending p;
        while ((p = incoming.poll()) != null) {
            enqueue(p);
        }
        drain();
    }

    private void enqueue(Pending p) {
        if (buffer.size() >= bufferSize && !canSendNow()) {
            dropped.increment();
            p.done().completeExceptionally(new IOException("publish buffer full (" + bufferSize + " messages)"));
            return;
        }
        buffer.addLast(p);
        buffered = buffer.size();
        drain();
    }

    private boolean canSendNow() {
        return channel != null && channel.isOpen() && unconfirmed.size() < maxOutstanding && buffer.isEmpty();
    }

    /** Sends buffered messages while the channel is open and the confirm window has room. */
    private void drain() {
        while (!buffer.isEmpty() && channel != null && channel.isOpen() && unconfirmed.size() < maxOutstanding) {
            Pending p = buffer.peekFirst();
            try {
                long seq = channel.getNextPublishSeqNo();
                unconfirmed.put(seq, p);
                Message m = p.message();
                channel.basicPublish(m.exchange(), m.routingKey(), false, m.properties(), m.body());
                published.increment();
                buffer.pollFirst();
            } catch (IOException | com.rabbitmq.client.AlreadyClosedException e) {
                // The connection is going down: keep the message; recovery (or the next attach) sends it.
                unconfirmed.values().remove(p);
                LOG.debug("event=amqp_publish_deferred error={}", e.toString());
                break;
            }
        }
        buffered = buffer.size();
    }

    /**
     * On the client's connection thread: the broker acked (or nacked) {@code seq}, or all up to it.
     * The publishers' callbacks run on the completer thread, one task per confirm. Inline they were
     * about 7 % cheaper, but a callback that acks or publishes (the subscriber does) would then write
     * frames from the NIO loop itself, which blocks once the client's write queue is full.
     */
    private void settle(long seq, boolean multiple, boolean ack) {
        List<Pending> settled;
        if (multiple) {
            settled = new ArrayList<>();
            Map.Entry<Long, Pending> first;
            while ((first = unconfirmed.firstEntry()) != null && first.getKey() <= seq) {
                if (unconfirmed.remove(first.getKey(), first.getValue())) {
                    settled.add(first.getValue());
                }
            }
        } else {
            Pending p = unconfirmed.remove(seq);
            settled = p == null ? List.of() : List.of(p);
        }
        if (buffered > 0) {
            scheduleDrain(); // the confirm window has room again
        }
        if (settled.isEmpty()) {
            return;
        }
        try {
            completer.execute(() -> settled.forEach(p -> finish(p, ack)));
        } catch (RejectedExecutionException e) {
            settled.forEach(p -> finish(p, ack)); // closing: complete them here
        }
    }

    private void finish(Pending p, boolean ack) {
        if (ack) {
            confirmed.increment();
            p.done().complete(null);
        } else {
            nacked.increment();
            p.done().completeExceptionally(new IOException("broker nacked the publish"));
        }
    }

    /** After a recovery the old sequence numbers mean nothing: send what was not confirmed again. */
    private void resendUnconfirmed() {
        Deque<Pending> again = new ArrayDeque<>(unconfirmed.values());
        unconfirmed.clear();
        republished.add(again.size());
        while (!again.isEmpty()) {
            buffer.addFirst(again.pollLast());
        }
        LOG.info("event=amqp_publisher_recovered resending={}", republished.sum());
        drain();
    }

    /** Waits (up to {@code limit}) until nothing is buffered or unconfirmed: for a graceful stop. */
    public boolean awaitIdle(java.time.Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (buffered > 0 || !incoming.isEmpty() || !unconfirmed.isEmpty()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(10));
        }
        return true;
    }

    public long published() {
        return published.sum();
    }

    public long confirmed() {
        return confirmed.sum();
    }

    public long nacked() {
        return nacked.sum();
    }

    /** Publishes refused because the buffer was full. */
    public long dropped() {
        return dropped.sum();
    }

    public int buffered() {
        return buffered;
    }

    public long republished() {
        return republished.sum();
    }

    @Override
    public void close() {
        owner.execute(() -> {
            Pending p;
            while ((p = incoming.poll()) != null) {
                buffer.addLast(p);
            }
            for (Pending waiting : buffer) {
                waiting.done().completeExceptionally(new IOException("publisher closed"));
            }
            buffer.clear();
        });
        owner.shutdown();
        completer.shutdown();
    }
}

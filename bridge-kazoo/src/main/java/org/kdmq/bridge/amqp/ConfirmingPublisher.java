package org.kdmq.bridge.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import io.netty.channel.EventLoop;
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
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes with RabbitMQ publisher confirms: each publish completes when the broker acks it
 * (at-least-once), fails when it nacks. Callers never block. Frames are written by one thread only: on
 * an event-driven connection ({@link AmqpConnector#ioLoopFor}) its event loop, where a publish from
 * that loop goes out at once and one from elsewhere is handed over (a task per batch, not per message);
 * on a blocking one, one owner thread. One lock keeps sequence numbers and publishes in step. Channel
 * set-up (which waits for the broker) always runs on the owner thread. With no
 * broker, or more than {@code maxOutstanding} unconfirmed, messages wait in a bounded buffer; when that
 * is full a publish fails at once ("buffer full"), counted, never dropped silently. After a connection
 * recovery every unconfirmed message is sent again (the broker may see it twice; consumers dedupe by
 * Msg-ID).
 */
public final class ConfirmingPublisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConfirmingPublisher.class);

    /**
     * Completes a publish on the client's connection thread, as the confirm arrives: for callers whose
     * continuations never block and never wait for the broker (answering a SIP request does neither).
     */
    public static final Executor ON_CONFIRM = Runnable::run;

    /**
     * {@link #ON_CONFIRM} while the attached connection is event-driven, else the completer thread: for
     * callers whose continuations write frames (an ack, a publish), which on a blocking connection must
     * not run on a connection's reader thread.
     */
    public static final Executor ON_CONFIRM_IF_EVENT_DRIVEN = new Executor() {
        @Override
        public void execute(Runnable task) {
            task.run();
        }
    };

    /** One message to publish. */
    public record Message(String exchange, String routingKey, AMQP.BasicProperties properties, byte[] body) {
    }

    /** @param completion where the future completes; null: the completer thread */
    private record Pending(Message message, CompletableFuture<Void> done, Executor completion) {
    }

    /** The connection publishing runs on, and its event loop (null: blocking I/O, the owner writes). */
    private record Attachment(Connection connection, EventLoop ioLoop) {
    }

    private final int maxOutstanding;
    private final int bufferSize;
    private volatile Thread ownerThread;
    private final ExecutorService owner = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "amqp-publisher");
        t.setDaemon(true);
        ownerThread = t;
        return t;
    });
    private final ExecutorService completer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "amqp-confirms");
        t.setDaemon(true);
        return t;
    });
    private final Object lock = new Object();
    // Guarded by lock. The confirm map is concurrent: the client's connection thread settles into it.
    private final Deque<Pending> buffer = new ArrayDeque<>();
    private boolean closed;
    // Written under the lock; volatile because confirms check which channel they came from.
    private volatile Channel channel;
    private final ConcurrentSkipListMap<Long, Pending> unconfirmed = new ConcurrentSkipListMap<>();
    // Publishes handed to the writing thread by other threads.
    private final Queue<Pending> incoming = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    // Set under the lock once the previous connection's channel is left: which thread writes frames
    // changes only while no channel is open.
    private volatile Attachment attachment;
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

    /** {@link #attach(Connection, EventLoop)} for a connection with blocking I/O. */
    public void attach(Connection connection) {
        attach(connection, null);
    }

    /**
     * Starts publishing on this connection (opened by {@link AmqpConnector}, so it recovers by itself).
     * Attaching another connection later moves publishing there (failover): what the old one had not
     * confirmed is sent again on the new one.
     *
     * @param ioLoop the event loop the connection runs on ({@link AmqpConnector#ioLoopFor}); null for
     *               blocking I/O
     */
    public void attach(Connection connection, EventLoop ioLoop) {
        owner.execute(() -> {
            Channel old;
            synchronized (lock) {
                old = leaveChannel();
                attachment = new Attachment(connection, ioLoop);
            }
            closeQuietly(old);
            openChannel();
        });
    }

    /** Under the lock: stops publishing on the current channel; what it had not confirmed goes again. */
    private Channel leaveChannel() {
        Channel old = channel;
        channel = null;
        if (old != null) {
            requeueUnconfirmed();
        }
        return old;
    }

    private static void closeQuietly(Channel old) {
        if (old == null) {
            return;
        }
        try {
            old.close();
        } catch (Exception ignored) {
            // being replaced; its connection is often dead already
        }
    }

    /** Owner thread: a confirm-mode channel on the attached connection, then sends what waits. */
    private void openChannel() {
        Connection connection = attachment.connection();
        Channel ch;
        try {
            ch = connection.createChannel();
            ch.confirmSelect();
        } catch (IOException e) {
            LOG.error("event=amqp_publisher_channel_failed error={}", e.toString());
            return;
        }
        ch.addConfirmListener((seq, multiple) -> settle(ch, seq, multiple, true),
                (seq, multiple) -> settle(ch, seq, multiple, false));
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
        List<Pending> refused;
        synchronized (lock) {
            channel = ch;
            refused = takeIncoming();
            drain();
        }
        refuse(refused);
    }

    /**
     * The broker closed our channel (a publish to an exchange that is gone: 404). Recovery does not
     * reopen a channel on a live connection, so we do. What was unconfirmed on it fails with the
     * broker's reason instead of being sent again: resending would close the new channel the same way.
     */
    private void channelClosedByBroker(Channel closed, Connection connection, Exception cause) {
        List<Pending> failed;
        synchronized (lock) {
            if (channel != closed) {
                return;
            }
            channel = null;
            failed = new ArrayList<>(unconfirmed.values());
            unconfirmed.clear();
        }
        IOException failure = new IOException("broker closed the publishing channel: " + cause.getMessage());
        for (Pending p : failed) {
            nacked.increment();
            p.done().completeExceptionally(failure);
        }
        LOG.warn("event=amqp_publisher_channel_closed reason=\"{}\"", cause.getMessage());
        if (connection.isOpen()) {
            openChannel();
        }
    }

    /** Publishes; the future completes (on the completer thread) on the broker's ack, fails on a nack or a full buffer. */
    public CompletableFuture<Void> publish(Message message) {
        return publish(message, null);
    }

    /**
     * Publishes; the future completes on {@code completion} (null: the completer thread; {@link #ON_CONFIRM}:
     * the connection thread) on the broker's ack, fails on a nack or a full buffer.
     */
    public CompletableFuture<Void> publish(Message message, Executor completion) {
        Pending p = new Pending(message, new CompletableFuture<>(), completion);
        if (onWritingThread()) {
            boolean accepted;
            boolean open;
            synchronized (lock) {
                open = !closed;
                accepted = open && enqueue(p);
            }
            if (!open) {
                p.done().completeExceptionally(new IOException("publisher closed"));
            } else if (!accepted) {
                refuse(List.of(p));
            }
        } else {
            incoming.add(p);
            scheduleDrain();
        }
        return p.done();
    }

    /**
     * Whether this thread writes the channel's frames: the connection's event loop, or the owner for
     * blocking I/O. The Netty I/O layer queues a write from another thread as a task per frame, behind
     * the loop's own writes: two writing threads could interleave one message's frames with another's.
     */
    private boolean onWritingThread() {
        Attachment attached = attachment;
        EventLoop loop = attached == null ? null : attached.ioLoop();
        return loop != null ? loop.inEventLoop() : Thread.currentThread() == ownerThread;
    }

    private Executor writingThread() {
        Attachment attached = attachment;
        return attached != null && attached.ioLoop() != null ? attached.ioLoop() : owner;
    }

    /**
     * One task on the writing thread takes everything published elsewhere since the last one: under
     * load a task per batch, not a thread hand-off (and a wake-up) per message.
     */
    private void scheduleDrain() {
        if (drainScheduled.compareAndSet(false, true)) {
            try {
                writingThread().execute(this::drainHere);
            } catch (RejectedExecutionException e) {
                drainScheduled.set(false);
                Pending p;
                while ((p = incoming.poll()) != null) {
                    p.done().completeExceptionally(new IOException("publisher closed"));
                }
            }
        }
    }

    private void drainHere() {
        drainScheduled.set(false); // before polling: a publish after this point schedules another run
        List<Pending> refused;
        synchronized (lock) {
            refused = takeIncoming();
            drain();
        }
        refuse(refused);
    }

    /** Under the lock: moves what waits for the owner into the buffer; returns what did not fit. */
    private List<Pending> takeIncoming() {
        List<Pending> refused = List.of();
        Pending p;
        while ((p = incoming.poll()) != null) {
            if (!enqueue(p)) {
                if (refused.isEmpty()) {
                    refused = new ArrayList<>();
                }
                refused.add(p);
            }
        }
        return refused;
    }

    /** Under the lock: buffers and sends; false when the buffer is full (the caller fails it, unlocked). */
    private boolean enqueue(Pending p) {
        if (buffer.size() >= bufferSize && !canSendNow()) {
            return false;
        }
        buffer.addLast(p);
        drain();
        return true;
    }

    private void refuse(List<Pending> refused) {
        for (Pending p : refused) {
            dropped.increment();
            p.done().completeExceptionally(new IOException("publish buffer full (" + bufferSize + " messages)"));
        }
    }

    private boolean canSendNow() {
        return channel != null && channel.isOpen() && unconfirmed.size() < maxOutstanding && buffer.isEmpty();
    }

    /**
     * Under the lock: sends buffered messages while the channel is open and the confirm window has room;
     * on another thread than the writing one, asks that one to.
     */
    private void drain() {
        if (!onWritingThread()) {
            buffered = buffer.size();
            if (!buffer.isEmpty()) {
                scheduleDrain();
            }
            return;
        }
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
            } catch (RuntimeException e) {
                // The client refused the message itself (a field it cannot encode) after taking its
                // sequence number: fail it, and go on on a fresh channel, or every later confirm would
                // settle the message published before it.
                unconfirmed.values().remove(p);
                buffer.pollFirst();
                refuseLater(p, e);
                renumber();
                break;
            }
        }
        buffered = buffer.size();
    }

    private void refuseLater(Pending p, RuntimeException cause) {
        nacked.increment();
        LOG.warn("event=amqp_publish_refused exchange={} routing_key={} error={}", p.message().exchange(),
                p.message().routingKey(), cause.toString());
        IOException failure = new IOException("cannot publish: " + cause.getMessage(), cause);
        try {
            completer.execute(() -> p.done().completeExceptionally(failure)); // not under the lock
        } catch (RejectedExecutionException closing) {
            p.done().completeExceptionally(failure);
        }
    }

    /** Under the lock: moves publishing to a new channel on the same connection; the unconfirmed go again. */
    private void renumber() {
        Channel broken = leaveChannel();
        try {
            owner.execute(() -> {
                closeQuietly(broken);
                openChannel();
            });
        } catch (RejectedExecutionException closing) {
            // closed meanwhile: nothing to publish on
        }
    }

    /**
     * On the client's connection thread: the broker acked (or nacked) {@code seq}, or all up to it.
     * Publishes that asked for {@link #ON_CONFIRM} complete here, and those that asked for
     * {@link #ON_CONFIRM_IF_EVENT_DRIVEN} too when the connection is event-driven; the
     * others on the completer thread, one task per confirm: a callback that acks or publishes on a
     * blocking connection must not write frames from a connection's reader thread.
     */
    private void settle(Channel from, long seq, boolean multiple, boolean ack) {
        if (from != channel) {
            // A late confirm from a channel we left (failover, renumbering): its messages were put back
            // in the buffer and go again; its sequence numbers mean nothing on the current channel.
            return;
        }
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
        Attachment attached = attachment;
        boolean eventDriven = attached != null && attached.ioLoop() != null;
        List<Pending> forCompleter = null;
        for (Pending p : settled) {
            Executor completion = p.completion();
            if (completion == null || completion == ON_CONFIRM_IF_EVENT_DRIVEN && !eventDriven) {
                if (forCompleter == null) {
                    forCompleter = new ArrayList<>(settled.size());
                }
                forCompleter.add(p);
            } else if (completion == ON_CONFIRM || completion == ON_CONFIRM_IF_EVENT_DRIVEN) {
                finish(p, ack); // no task per message
            } else {
                completion.execute(() -> finish(p, ack));
            }
        }
        if (forCompleter != null) {
            List<Pending> batch = forCompleter;
            try {
                completer.execute(() -> batch.forEach(p -> finish(p, ack)));
            } catch (RejectedExecutionException e) {
                batch.forEach(p -> finish(p, ack)); // closing: complete them here
            }
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

    /** Under the lock: what was not confirmed goes back to the front of the buffer, in order. */
    private void requeueUnconfirmed() {
        Deque<Pending> again = new ArrayDeque<>(unconfirmed.values());
        unconfirmed.clear();
        republished.add(again.size());
        while (!again.isEmpty()) {
            buffer.addFirst(again.pollLast());
        }
    }

    /** After a recovery the old sequence numbers mean nothing: send what was not confirmed again. */
    private void resendUnconfirmed() {
        synchronized (lock) {
            requeueUnconfirmed();
            LOG.info("event=amqp_publisher_recovered resending={}", republished.sum());
            drain();
        }
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
            List<Pending> waiting;
            synchronized (lock) {
                closed = true;
                Pending p;
                while ((p = incoming.poll()) != null) {
                    buffer.addLast(p);
                }
                waiting = new ArrayList<>(buffer);
                buffer.clear();
                buffered = 0;
            }
            for (Pending p : waiting) {
                p.done().completeExceptionally(new IOException("publisher closed"));
            }
        });
        owner.shutdown();
        completer.shutdown();
    }
}

package org.kdmq.gateway.bench;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.kdmq.gateway.api.Dmq;
import org.kdmq.gateway.api.NodeAddress;
import org.kdmq.gateway.api.NodeReply;

/** bcast (and publish) mode: each message is one {@link Dmq#bcast} to every active node; done at the last reply. */
final class BcastSender implements MessageSender {
    private final Dmq dmq;
    private final String channel;
    private final byte[] body;
    private final NanoClock clock;

    BcastSender(Dmq dmq, String channel, byte[] body, NanoClock clock) {
        this.dmq = dmq;
        this.channel = channel;
        this.body = body;
        this.clock = clock;
    }

    @Override
    public void send(Consumer<Outcome> done) {
        Replies replies = new Replies(done);
        List<NodeAddress> targets;
        try {
            targets = dmq.bcast(channel, body, BenchBody.CONTENT_TYPE, null, Dmq.DEFAULT_MAX_FORWARDS, replies::add);
        } catch (RuntimeException e) {
            done.accept(Outcome.failed(e.getClass().getSimpleName(), clock.nanoTime()));
            return;
        }
        if (targets.isEmpty()) {
            done.accept(Outcome.failed("no-active-node", clock.nanoTime()));
            return;
        }
        replies.expect(targets.size());
    }

    /**
     * Collects one message's replies. They may arrive (on a network or worker thread) before bcast has
     * returned the number of targets, so the count starts at a guard far above any node count; {@link #expect}
     * removes the guard, and whoever brings the count to zero finishes the message, exactly once.
     */
    private final class Replies {
        private static final int GUARD = 1 << 30;
        private final Consumer<Outcome> done;
        private final AtomicInteger remaining = new AtomicInteger(GUARD);
        private final AtomicInteger ok = new AtomicInteger();
        private final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();

        Replies(Consumer<Outcome> done) {
            this.done = done;
        }

        void add(NodeReply reply) {
            if (reply.isSuccess()) {
                ok.incrementAndGet();
            } else {
                errors.add(Integer.toString(reply.statusCode()));
            }
            if (remaining.decrementAndGet() == 0) {
                finish();
            }
        }

        void expect(int targets) {
            if (remaining.addAndGet(targets - GUARD) == 0) {
                finish();
            }
        }

        private void finish() {
            done.accept(new Outcome(ok.get(), List.copyOf(errors), clock.nanoTime()));
        }
    }
}

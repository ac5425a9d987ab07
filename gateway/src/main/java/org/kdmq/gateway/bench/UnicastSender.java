package org.kdmq.gateway.bench;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.kdmq.gateway.api.Dmq;
import org.kdmq.gateway.api.NodeAddress;
import org.kdmq.gateway.api.NodeReply;

/**
 * send and query modes: each message is one {@link Dmq#send} to the next target node in turn; done at
 * its reply, which in query mode must carry an answer (a body).
 */
final class UnicastSender implements MessageSender {
    private final Dmq dmq;
    private final Supplier<List<NodeAddress>> targets;
    private final String channel;
    private final byte[] body;
    private final NanoClock clock;
    private final boolean answerExpected;
    private long next; // only the generator's thread sends

    UnicastSender(Dmq dmq, Supplier<List<NodeAddress>> targets, String channel, byte[] body, NanoClock clock,
                  boolean answerExpected) {
        this.answerExpected = answerExpected;
        this.dmq = dmq;
        this.targets = targets;
        this.channel = channel;
        this.body = body;
        this.clock = clock;
    }

    @Override
    public void send(Consumer<Outcome> done) {
        List<NodeAddress> nodes = targets.get();
        if (nodes.isEmpty()) {
            done.accept(Outcome.failed("no-active-node", clock.nanoTime()));
            return;
        }
        NodeAddress target = nodes.get((int) (next++ % nodes.size()));
        try {
            dmq.send(channel, target, body, answerExpected ? BenchBody.QUERY_CONTENT_TYPE : BenchBody.CONTENT_TYPE,
                    Dmq.DEFAULT_MAX_FORWARDS)
                    .whenComplete((reply, error) -> done.accept(outcomeOf(reply, error)));
        } catch (RuntimeException e) {
            done.accept(Outcome.failed(e.getClass().getSimpleName(), clock.nanoTime()));
        }
    }

    private Outcome outcomeOf(NodeReply reply, Throwable error) {
        long now = clock.nanoTime();
        if (error != null) {
            Throwable cause = error.getCause() != null ? error.getCause() : error;
            return Outcome.failed(cause.getClass().getSimpleName(), now);
        }
        if (!reply.isSuccess()) {
            return Outcome.failed(Integer.toString(reply.statusCode()), now);
        }
        return answerExpected && reply.body().length == 0 ? Outcome.failed("no-answer", now) : new Outcome(1, List.of(), now);
    }
}

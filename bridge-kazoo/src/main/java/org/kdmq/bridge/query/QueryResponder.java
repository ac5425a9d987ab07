package org.kdmq.bridge.query;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.AMQP;
import java.io.IOException;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.LongConsumer;
import org.kdmq.bridge.amqp.ConfirmingPublisher;
import org.kdmq.bridge.kazoo.KazooEnvelope;
import org.kdmq.gateway.api.Dmq;
import org.kdmq.gateway.api.NodeAddress;
import org.kdmq.gateway.api.NodeReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * AMQP to DMQ queries: a consumed request routed to a query channel is sent as a KDMQ request, to the
 * node it names, else to our own handler of the channel, else to every active node (the first 2xx
 * wins, or with {@code Query-Collect} every reply until the timeout). The answer, or an error reply
 * (timeout, SIP error, no node, bad request), goes back in the convention the request used
 * ({@link ReplyAddress}); a requester never waits for nothing.
 */
public final class QueryResponder {
    private static final Logger LOG = LoggerFactory.getLogger(QueryResponder.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONTENT_TYPE = "application/json";

    private final Dmq dmq;
    private final Function<ConfirmingPublisher.Message, CompletableFuture<Void>> publish;
    private final KazooEnvelope.Identity who;
    private final Duration defaultTimeout;
    private final Map<String, String> meta;
    private final LongConsumer latencyNanos;
    public final LongAdder received = new LongAdder();
    public final LongAdder answered = new LongAdder();
    public final LongAdder failed = new LongAdder();
    public final LongAdder timedOut = new LongAdder();
    public final LongAdder replyLost = new LongAdder();

    /**
     * @param meta what our DMQ sends carry (the bridge's origin mark, so no bridge mirrors a query back)
     * @param latencyNanos hears each request's time from arrival to its reply's broker confirm
     */
    public QueryResponder(Dmq dmq, Function<ConfirmingPublisher.Message, CompletableFuture<Void>> publish,
                          KazooEnvelope.Identity who, Duration defaultTimeout, Map<String, String> meta,
                          LongConsumer latencyNanos) {
        this.dmq = dmq;
        this.publish = publish;
        this.who = who;
        this.defaultTimeout = defaultTimeout;
        this.meta = Map.copyOf(meta);
        this.latencyNanos = latencyNanos;
    }

    /**
     * Answers one request. Completes once the reply was published (confirmed or not: either way the
     * request is done with), or at once with false when the request names no reply address.
     */
    public CompletableFuture<Boolean> answer(String channel, ObjectNode payload, byte[] body, AMQP.BasicProperties props) {
        long start = System.nanoTime();
        ReplyAddress to = ReplyAddress.of(props, payload);
        if (to == null) {
            return CompletableFuture.completedFuture(false);
        }
        received.increment();
        QueryOptions options;
        try {
            options = QueryOptions.of(payload, props, defaultTimeout);
        } catch (IllegalArgumentException e) {
            failed.increment();
            return send(to, QueryReplies.error(payload, "bad request: " + e.getMessage(), 0, null, who), start);
        }
        return ask(channel, payload, body, options).thenCompose(r -> send(to, r, start));
    }

    /**
     * A request we cannot read (not JSON, not an object, a content type we do not take) whose
     * {@code reply_to} says someone waits: they get an error reply instead of a timeout.
     */
    public void refuse(AMQP.BasicProperties props, String why) {
        if (props == null || props.getReplyTo() == null || props.getReplyTo().isBlank()) {
            return;
        }
        failed.increment();
        send(ReplyAddress.of(props, null), QueryReplies.error(null, "bad request: " + why, 0, null, who), System.nanoTime());
    }

    private CompletableFuture<ObjectNode> ask(String channel, ObjectNode payload, byte[] body, QueryOptions options) {
        CompletableFuture<List<NodeReply>> replies;
        ReplyGather gather = null;
        if (options.target() != null) {
            replies = sendTo(channel, options.target(), body).thenApply(List::of);
        } else if (options.collect()) {
            gather = new ReplyGather(false);
            ReplyGather all = gather;
            sendTo(channel, dmq.self().address(), body).whenComplete((r, e) -> all.add(r != null ? r
                    : new NodeReply(dmq.self().address(), 500, String.valueOf(e), new byte[0], null, true)));
            broadcast(channel, body, gather, 1);
            replies = gather.done();
        } else {
            // Our own handler first, else every node, the first 2xx winning.
            replies = sendTo(channel, dmq.self().address(), body).thenCompose(local -> {
                if (local.statusCode() != 404) {
                    return CompletableFuture.completedFuture(List.of(local));
                }
                ReplyGather first = new ReplyGather(true);
                first.add(local);
                broadcast(channel, body, first, 1);
                return first.done();
            });
        }
        ReplyGather collecting = gather;
        Duration timeout = options.timeout();
        return replies.orTimeout(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                .handle((list, error) -> {
                    Throwable cause = QueryOptions.cause(error);
                    if (cause instanceof TimeoutException) {
                        List<NodeReply> partial = collecting == null ? List.of() : collecting.soFar();
                        if (!partial.isEmpty()) {
                            answered.increment();
                            return QueryReplies.collected(payload, partial, who);
                        }
                        timedOut.increment();
                        return QueryReplies.error(payload, "no DMQ reply on channel " + channel + " within "
                                + timeout.toMillis() + " ms", 0, null, who);
                    }
                    if (cause != null) {
                        failed.increment();
                        String why = cause instanceof IllegalArgumentException ? "bad request: " + cause.getMessage()
                                : String.valueOf(cause.getMessage());
                        return QueryReplies.error(payload, why, 0, null, who);
                    }
                    return toReply(channel, payload, list, options.collect());
                });
    }

    private ObjectNode toReply(String channel, ObjectNode payload, List<NodeReply> replies, boolean collect) {
        if (collect && !replies.isEmpty()) {
            answered.increment();
            return QueryReplies.collected(payload, replies, who);
        }
        NodeReply success = replies.stream().filter(NodeReply::isSuccess).findFirst().orElse(null);
        if (success != null) {
            answered.increment();
            return QueryReplies.success(payload, success, who);
        }
        failed.increment();
        if (replies.isEmpty()) {
            return QueryReplies.error(payload, "no DMQ node to ask on channel " + channel, 0, null, who);
        }
        // A node's real answer says more than our own "no handler here" 404 or a local 408/503.
        NodeAddress self = dmq.self().address();
        NodeReply best = replies.stream().max(Comparator.comparingInt((NodeReply r) -> r.local() ? 0 : 1)
                .thenComparingInt(r -> r.statusCode() == 404 ? 0 : 1)
                .thenComparingInt(r -> r.node().equals(self) ? 0 : 1)).orElseThrow();
        return QueryReplies.error(payload, "DMQ node " + best.node().toUriString() + " answered " + best.statusCode()
                + " " + best.reason(), best.statusCode(), best.reason(), who);
    }

    private CompletableFuture<NodeReply> sendTo(String channel, NodeAddress node, byte[] body) {
        try {
            return dmq.send(channel, node, body, CONTENT_TYPE, Dmq.DEFAULT_MAX_FORWARDS, meta);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** @param alreadyAsked nodes the gather waits for besides this broadcast's (ourselves) */
    private void broadcast(String channel, byte[] body, ReplyGather gather, int alreadyAsked) {
        List<NodeAddress> asked;
        try {
            asked = dmq.bcast(channel, body, CONTENT_TYPE, null, Dmq.DEFAULT_MAX_FORWARDS, meta, gather::add);
        } catch (RuntimeException e) {
            gather.done().completeExceptionally(e);
            return;
        }
        gather.expect(asked.size() + alreadyAsked);
    }

    private CompletableFuture<Boolean> send(ReplyAddress to, ObjectNode reply, long start) {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(reply);
        } catch (IOException e) {
            return CompletableFuture.completedFuture(true); // an ObjectNode always serialises
        }
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                .contentType(CONTENT_TYPE)
                .correlationId(to.correlationId())
                .messageId(KazooEnvelope.newMsgId())
                .timestamp(new java.util.Date())
                .build();
        return publish.apply(new ConfirmingPublisher.Message(to.exchange(), to.routingKey(), props, bytes))
                .handle((ok, error) -> {
                    if (error != null) {
                        replyLost.increment();
                        LOG.warn("event=amqp_query_reply_failed exchange={} routing_key={} error={}", to.exchange(),
                                to.routingKey(), error.getMessage());
                    } else {
                        latencyNanos.accept(System.nanoTime() - start);
                    }
                    return true;
                });
    }
}

package org.kdmq.bridge;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;
import org.kdmq.bridge.kazoo.EventRoutes;
import org.kdmq.bridge.kazoo.KazooEnvelope;
import org.kdmq.gateway.api.Dmq;
import org.kdmq.gateway.api.NodeAddress;
import org.kdmq.gateway.api.NodeReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * AMQP to DMQ: consumes each subscription (manual acks, bounded prefetch), picks the DMQ channel by the
 * kazoo event-route order ({@code --route NAME=CHANNEL}, else the subscription's channel), and delivers
 * the payload unchanged to every active node and our own handler (or to the node named by the AMQP
 * header {@code kdmq-target-node}). It acks only after the delivery succeeded, retries failed nodes a
 * bounded number of times, then rejects (dead-lettered when the queue has a DLX). Invalid JSON,
 * non-object JSON and unroutable messages are rejected and counted; the consumer keeps running.
 * Messages are sent with {@code X-KDMQ-Origin: amqp} so no bridge publishes them back.
 */
final class Subscriber {
    static final String ORIGIN = "origin";
    static final String FROM_AMQP = "amqp";
    private static final Logger LOG = LoggerFactory.getLogger(Subscriber.class);
    private static final int ATTEMPTS = 3;

    /** Where a route sends what it takes: a DMQ channel, as a message or as a query awaiting a reply. */
    record Route(String channel, boolean query) {
    }

    private final Dmq dmq;
    private final Map<String, Route> routes;
    private final org.kdmq.bridge.query.QueryResponder queries;
    final LongAdder consumed = new LongAdder();
    final LongAdder acked = new LongAdder();
    final LongAdder rejected = new LongAdder();
    final LongAdder invalid = new LongAdder();
    final LongAdder unroutable = new LongAdder();

    Subscriber(Dmq dmq, Map<String, Route> routes, org.kdmq.bridge.query.QueryResponder queries) {
        this.dmq = dmq;
        this.routes = routes;
        this.queries = queries;
    }

    /**
     * Declares the subscription's exchange, queue and bindings and starts consuming on a channel of its own.
     *
     * @param eventDriven the connection runs on a Netty event loop, where writing an ack only queues a
     *                    frame; otherwise its writes block on the socket, so acks are written off the
     *                    DMQ network thread that completes a delivery
     */
    void consume(Connection connection, SubscriptionSpec spec, boolean eventDriven) throws IOException {
        java.util.concurrent.Executor settleOn = eventDriven ? Runnable::run : java.util.concurrent.ForkJoinPool.commonPool();
        Channel ch = connection.createChannel();
        if (spec.passive()) {
            ch.exchangeDeclarePassive(spec.exchange());
        } else {
            ch.exchangeDeclare(spec.exchange(), spec.type(), spec.exchangeDurable(), spec.exchangeAutoDelete(), false, null);
        }
        for (SubscriptionSpec.ExchangeBinding b : spec.exchangeBindings()) {
            ch.exchangeDeclare(b.source(), b.type(), false, false, false, null);
            for (String key : b.routing()) {
                ch.exchangeBind(spec.exchange(), b.source(), key);
            }
        }
        ch.queueDeclare(spec.queue(), spec.queueDurable(), spec.exclusive(), spec.queueAutoDelete(), null);
        for (String key : spec.routing()) {
            ch.queueBind(spec.queue(), spec.exchange(), key);
        }
        ch.basicQos(spec.prefetch());
        ch.basicConsume(spec.queue(), false, new DefaultConsumer(ch) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
                onDelivery(ch, spec, envelope, props, body, settleOn);
            }
        });
        LOG.info("event=amqp_subscribed exchange={} queue={} routing={}", spec.exchange(), spec.queue(), spec.routing());
    }

    private void onDelivery(Channel ch, SubscriptionSpec spec, Envelope envelope, AMQP.BasicProperties props, byte[] body,
                            java.util.concurrent.Executor settleOn) {
        consumed.increment();
        long tag = envelope.getDeliveryTag();
        String type = props.getContentType();
        if (type != null && !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")
                || props.getContentEncoding() != null && !props.getContentEncoding().isBlank()) {
            // Kazoo consumers take application/json only; so do we (gzip is not supported yet).
            invalid.increment();
            LOG.warn("event=amqp_rejected reason=content_type content_type={} encoding={} queue={}", type,
                    props.getContentEncoding(), spec.queue());
            queries.refuse(props, "content type " + type + " is not application/json");
            reject(ch, tag);
            return;
        }
        ObjectNode payload = KazooEnvelope.asObject(body);
        if (payload == null) {
            invalid.increment();
            LOG.warn("event=amqp_rejected reason=not_a_json_object queue={} routing_key={}", spec.queue(),
                    envelope.getRoutingKey());
            queries.refuse(props, "the body is not a JSON object");
            reject(ch, tag);
            return;
        }
        Route route = pick(payload, spec, routes);
        if (route == null) {
            unroutable.increment();
            LOG.warn("event=amqp_rejected reason=no_route queue={} routes_tried={}", spec.queue(),
                    EventRoutes.candidates(payload, spec.eventKey(), spec.eventSubkey()));
            queries.refuse(props, "no route takes it (tried " + EventRoutes.candidates(payload, spec.eventKey(),
                    spec.eventSubkey()) + ")");
            reject(ch, tag);
            return;
        }
        if (route.query()) {
            queries.answer(route.channel(), payload, body, props).whenComplete((replied, error) -> {
                if (Boolean.TRUE.equals(replied)) {
                    ack(ch, tag); // answered (or an error reply sent): the request is done with
                } else {
                    invalid.increment();
                    LOG.warn("event=amqp_rejected reason=query_without_reply_address queue={} note=\"no reply_to, no Server-ID\"",
                            spec.queue());
                    reject(ch, tag);
                }
            });
            return;
        }
        String channel = route.channel();
        Object target = props.getHeaders() == null ? null : props.getHeaders().get("kdmq-target-node");
        List<NodeAddress> targets = new ArrayList<>();
        try {
            if (target != null) {
                targets.add(NodeAddress.parse(target.toString()));
            } else {
                targets.add(dmq.self().address());
                dmq.nodes().stream().filter(n -> !n.local() && n.isActive()).forEach(n -> targets.add(n.address()));
            }
        } catch (RuntimeException e) {
            invalid.increment();
            LOG.warn("event=amqp_rejected reason=bad_target target={}", target);
            reject(ch, tag);
            return;
        }
        String dmqChannel = channel;
        java.util.function.Supplier<CompletableFuture<Boolean>> delivery = () -> deliver(dmqChannel, body, targets, 1);
        CompletableFuture<Boolean> done;
        if (spec.consistentWorker()) {
            // consistent-worker: messages with the same key are delivered one after the other, in order.
            String key = spec.consistentWorkerKey() != null
                    ? org.kdmq.bridge.kazoo.KazooJsonPath.get(payload, spec.consistentWorkerKey()) : envelope.getRoutingKey();
            done = inOrder(key, delivery);
        } else {
            done = delivery.get();
        }
        done.whenCompleteAsync((ok, error) -> {
            if (error == null && ok) {
                ack(ch, tag);
            } else {
                LOG.warn("event=amqp_rejected reason=delivery_failed channel={} attempts={}", dmqChannel, ATTEMPTS);
                reject(ch, tag);
            }
        }, settleOn);
    }

    private final Map<String, CompletableFuture<Boolean>> lanes = new java.util.concurrent.ConcurrentHashMap<>();

    /** Runs a delivery after the previous one of the same key has finished. */
    private CompletableFuture<Boolean> inOrder(String key, java.util.function.Supplier<CompletableFuture<Boolean>> delivery) {
        CompletableFuture<Boolean> result = new CompletableFuture<>();
        CompletableFuture<Boolean> previous = lanes.put(key, result);
        CompletableFuture<Boolean> start = previous == null ? CompletableFuture.completedFuture(true) : previous;
        start.handle((v, e) -> null).thenCompose(v -> delivery.get()).whenComplete((ok, error) -> {
            if (error != null) {
                result.completeExceptionally(error);
            } else {
                result.complete(ok);
            }
            lanes.remove(key, result);
        });
        return result;
    }

    /** The route for a payload: the first in the kazoo order, else the subscription's channel, else null. */
    static Route pick(ObjectNode payload, SubscriptionSpec spec, Map<String, Route> routes) {
        for (String name : EventRoutes.candidates(payload, spec.eventKey(), spec.eventSubkey())) {
            Route route = routes.get(name);
            if (route != null) {
                return route;
            }
        }
        return spec.channel() == null ? null : new Route(spec.channel(), false);
    }

    /** Sends to each target; retries the ones that could not be reached. True when all answered. */
    private CompletableFuture<Boolean> deliver(String channel, byte[] body, List<NodeAddress> targets, int attempt) {
        Map<String, String> meta = Map.of(ORIGIN, FROM_AMQP);
        List<CompletableFuture<NodeReply>> replies = new ArrayList<>();
        for (NodeAddress node : targets) {
            replies.add(dmq.send(channel, node, body, "application/json", 1, meta)
                    .exceptionally(e -> new NodeReply(node, 503, String.valueOf(e.getMessage()), new byte[0], null, true)));
        }
        return CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new)).thenCompose(v -> {
            List<NodeAddress> failed = replies.stream().map(CompletableFuture::join).filter(NodeReply::local)
                    .map(NodeReply::node).toList();
            if (failed.isEmpty()) {
                return CompletableFuture.completedFuture(true);
            }
            if (attempt >= ATTEMPTS) {
                return CompletableFuture.completedFuture(false);
            }
            return deliver(channel, body, failed, attempt + 1);
        });
    }

    private void ack(Channel ch, long tag) {
        try {
            ch.basicAck(tag, false);
            acked.increment();
        } catch (IOException | RuntimeException e) {
            LOG.warn("event=amqp_ack_failed error={}", e.toString());
        }
    }

    private void reject(Channel ch, long tag) {
        try {
            ch.basicReject(tag, false);
            rejected.increment();
        } catch (IOException | RuntimeException e) {
            LOG.warn("event=amqp_reject_failed error={}", e.toString());
        }
    }
}

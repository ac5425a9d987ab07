package org.kdmq.bridge.query;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.kdmq.bridge.amqp.ConfirmingPublisher;
import org.kdmq.bridge.amqp.Exchanges;
import org.kdmq.bridge.kazoo.KazooEnvelope;
import org.kdmq.bridge.kazoo.RoutingKeyTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the AMQP world and waits for the answer, as Kazoo's {@code kz_amqp_worker} and Kamailio's
 * {@code kazoo_query} do: the request carries {@code Server-ID} = our queue (bound to exchange
 * {@code targeted} with routing key = its name) and a fresh {@code Msg-ID}; the first JSON object on
 * that queue echoing the Msg-ID is the answer. Unlike Kamailio, the pending Msg-ID is registered
 * before the publish, so a fast reply is never lost; late and unmatched replies are counted and dropped.
 */
public final class TargetedRequester {
    private static final Logger LOG = LoggerFactory.getLogger(TargetedRequester.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KazooEnvelope.Identity who;
    private final Function<ConfirmingPublisher.Message, CompletableFuture<Void>> publish;
    private final Map<String, CompletableFuture<ObjectNode>> pending = new ConcurrentHashMap<>();
    public final LongAdder sent = new LongAdder();
    public final LongAdder answered = new LongAdder();
    public final LongAdder timedOut = new LongAdder();
    public final LongAdder unmatched = new LongAdder();

    /**
     * @param who our identity; its Server-ID is the name of the queue replies come to
     * @param publish may complete on any thread: only a failure continues, on another thread
     */
    public TargetedRequester(KazooEnvelope.Identity who,
                             Function<ConfirmingPublisher.Message, CompletableFuture<Void>> publish) {
        this.who = who;
        this.publish = publish;
    }

    public String queue() {
        return who.serverId();
    }

    /**
     * Declares exchange {@code targeted} (as Kazoo does, unless it exists), our queue (auto-delete, as
     * Kamailio's: it goes when we stop consuming; recovery declares it again) and starts consuming it.
     */
    public void listenOn(Connection connection) throws IOException {
        Exchanges.ensure(connection, ReplyAddress.TARGETED, "direct");
        Channel ch = connection.createChannel();
        ch.queueDeclare(queue(), false, false, true, null); // as Kamailio: not exclusive, auto-delete
        ch.queueBind(queue(), ReplyAddress.TARGETED, queue());
        ch.basicConsume(queue(), true, new DefaultConsumer(ch) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
                onReply(body);
            }
        });
        LOG.info("event=amqp_targeted_queue queue={}", queue());
    }

    private void onReply(byte[] body) {
        ObjectNode reply = KazooEnvelope.asObject(body);
        String msgId = reply == null ? "" : reply.path("Msg-ID").asText("");
        CompletableFuture<ObjectNode> waiting = msgId.isEmpty() ? null : pending.remove(msgId);
        if (waiting == null || waiting.isDone()) {
            unmatched.increment(); // late (after the timeout), a second reply, or not a reply to us at all
            LOG.debug("event=amqp_reply_unmatched msg_id={}", msgId);
            return;
        }
        // Deliveries may run on the connection's I/O thread: the caller's continuations run elsewhere.
        ForkJoinPool.commonPool().execute(() -> {
            answered.increment(); // before: whoever waits may read it
            if (!waiting.complete(reply)) {
                answered.decrement();
                unmatched.increment(); // timed out meanwhile
            }
        });
    }

    /** {@link #query(String, RoutingKeyTemplate, ObjectNode, Duration)} with a literal routing key. */
    public CompletableFuture<ObjectNode> query(String exchange, String routingKey, ObjectNode request, Duration timeout) {
        return query(exchange, RoutingKeyTemplate.literal(routingKey), request, timeout);
    }

    /**
     * Publishes {@code request} (Server-ID and Msg-ID set by us, envelope fields added) and completes
     * with the first reply, or fails: {@link TimeoutException} after {@code timeout}, IOException when
     * the broker refused the publish, IllegalArgumentException for a bad routing key.
     *
     * @param routingKey the key, or a {@link RoutingKeyTemplate} to render from the request ({@code {Event-Category}.{Event-Name}})
     */
    public CompletableFuture<ObjectNode> query(String exchange, RoutingKeyTemplate routingKey, ObjectNode request,
                                               Duration timeout) {
        ObjectNode payload = request.deepCopy();
        String msgId = KazooEnvelope.newMsgId();
        payload.put("Msg-ID", msgId);
        payload.put("Server-ID", queue());
        KazooEnvelope.withEnvelope(payload, who);
        String key;
        byte[] body;
        try {
            key = routingKey.render(payload);
            body = JSON.writeValueAsBytes(payload);
        } catch (IllegalArgumentException | IOException e) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(e.getMessage()));
        }
        CompletableFuture<ObjectNode> reply = new CompletableFuture<>();
        pending.put(msgId, reply); // before the publish: a reply may come back before publish() returns
        reply.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((r, e) -> {
            if (pending.remove(msgId) != null && e instanceof TimeoutException) {
                timedOut.increment();
            }
        });
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                .contentType("application/json")
                .messageId(msgId)
                .timestamp(new java.util.Date())
                .build();
        sent.increment();
        publish.apply(new ConfirmingPublisher.Message(exchange, key, props, body))
                .whenComplete((ok, error) -> {
                    if (error != null) {
                        // The publisher may complete on its connection thread: the caller's continuations run elsewhere.
                        ForkJoinPool.commonPool().execute(() -> reply.completeExceptionally(error));
                    }
                });
        return reply;
    }

    /** Queries waiting for a reply. */
    public int pending() {
        return pending.size();
    }

    /** Fails every waiting query: the node is stopping. */
    public void close() {
        pending.values().forEach(f -> f.completeExceptionally(new IOException("bridge stopping")));
        pending.clear();
    }
}

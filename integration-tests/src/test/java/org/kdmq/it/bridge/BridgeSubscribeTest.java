package org.kdmq.it.bridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.kdmq.it.OurNodes.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.kdmq.bridge.KazooBridgeTestAccess;
import org.kdmq.bridge.amqp.TestBroker;
import org.kdmq.gateway.api.DispatchMode;
import org.kdmq.gateway.api.DmqMessage;
import org.kdmq.gateway.api.DmqResponse;
import org.kdmq.gateway.server.GatewayServer;
import org.kdmq.gateway.transport.Transport;
import org.kdmq.it.OurNodes;

/** AMQP to DMQ through a subscription, against a real RabbitMQ. */
class BridgeSubscribeTest {
    private final OurNodes ours = new OurNodes();
    private final ObjectMapper json = new ObjectMapper();
    private Connection amqp;
    private Channel channel;
    private String exchange;
    private String queue;
    private String mirrorExchange;
    private String mirrorQueue;

    @BeforeEach
    void broker() throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setUri(TestBroker.uri());
        amqp = f.newConnection("kdmq-it");
        channel = amqp.createChannel();
        String id = UUID.randomUUID().toString();
        exchange = "kdmq.in." + id;
        queue = "kdmq-in-" + id;
        mirrorExchange = "kdmq.out." + id;
        channel.exchangeDeclare(mirrorExchange, "topic", false, false, null);
        mirrorQueue = channel.queueDeclare("", false, true, true, null).getQueue();
        channel.queueBind(mirrorQueue, mirrorExchange, "#");
    }

    @AfterEach
    void stop() throws Exception {
        ours.close();
        channel.exchangeDelete(exchange);
        channel.exchangeDelete(mirrorExchange);
        amqp.close();
    }

    private void publish(String body) throws Exception {
        channel.basicPublish(exchange, "any.key", new AMQP.BasicProperties.Builder().contentType("application/json").build(),
                body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void consumedMessagesReachTheRoutedChannelUnchangedAndAreAckedAfterDelivery() throws Exception {
        GatewayServer plain = ours.start(Transport.UDP, null);
        GatewayServer bridge = ours.start(Transport.UDP, plain.config().dmq().serverAddress().toUriString());
        await("joined", Duration.ofSeconds(20), () -> plain.dmq().nodes().size() == 2);
        Map<String, ConcurrentLinkedQueue<DmqMessage>> got = new ConcurrentHashMap<>();
        for (GatewayServer s : List.of(plain, bridge)) {
            for (String ch : List.of("presence", "dialog", "keys", "fallback")) {
                if (s == bridge && ch.equals("presence")) {
                    continue; // on the bridge node, the mirror of "presence" is that channel's handler
                }
                s.dmq().registerChannel(ch, DispatchMode.HANDLE, m -> {
                    got.computeIfAbsent(ch + "@" + s.config().dmq().serverAddress().port(), k -> new ConcurrentLinkedQueue<>()).add(m);
                    return CompletableFuture.completedFuture(DmqResponse.ok());
                });
            }
        }
        String sub = "{\"exchange\":\"" + exchange + "\",\"type\":\"topic\",\"queue\":\"" + queue + "\",\"routing\":\"#\","
                + "\"prefetch\":5}";
        KazooBridgeTestAccess.start(bridge, List.of(TestBroker.uri().toString()),
                List.of("presence=" + mirrorExchange + ":topic"), List.of(sub),
                List.of("kazoo:consumer-event-presence-update=presence", "consumer-event-dialog=dialog",
                        "consumer-event-event-category-event-name=keys"));
        await("subscribed", Duration.ofSeconds(20), () -> {
            try {
                return channel.consumerCount(queue) == 1;
            } catch (Exception e) {
                channel = reopen();
                return false;
            }
        });

        String presence = "{ \"Event-Category\": \"presence\", \"Event-Name\": \"update\", \"From\": \"alice\" }";
        publish(presence);
        publish("{\"Event-Category\":\"dialog\",\"Event-Name\":\"whatever\"}");
        publish("{\"no\":\"category\"}");
        publish("this is not json");
        publish("[1,2,3]");
        channel.basicPublish(exchange, "any.key", new AMQP.BasicProperties.Builder().contentType("text/plain").build(),
                "{\"Event-Category\":\"dialog\"}".getBytes(StandardCharsets.UTF_8));
        int plainPort = plain.config().dmq().serverAddress().port();
        int bridgePort = bridge.config().dmq().serverAddress().port();
        await("routed and delivered to both nodes", Duration.ofSeconds(20), () -> got.containsKey("presence@" + plainPort)
                && got.containsKey("dialog@" + bridgePort) && got.containsKey("dialog@" + plainPort)
                && got.containsKey("keys@" + plainPort) && got.containsKey("keys@" + bridgePort));
        DmqMessage m = got.get("presence@" + plainPort).peek();
        assertArrayEquals(presence.getBytes(StandardCharsets.UTF_8), m.body(), "the payload reaches DMQ byte for byte");
        assertEquals("application/json", m.contentType());
        assertEquals("amqp", m.meta().get("origin"));
        assertNull(got.get("fallback@" + plainPort));

        await("acked and rejected", Duration.ofSeconds(20), () -> status(bridge).path("consumer").path("acked").asInt() == 3
                && status(bridge).path("consumer").path("rejected").asInt() == 3);
        assertEquals(0, channel.messageCount(queue), "nothing left in the queue");
        // A message that came from AMQP is never published back, though "presence" is mirrored.
        assertNull(channel.basicGet(mirrorQueue, true));
        String metrics = bridge.metrics().scrape();
        assertTrue(metrics.contains("kdmq_bridge_invalid_total 3.0"), metrics.lines().filter(l -> l.startsWith("kdmq_bridge")).toList().toString());
    }

    @Test
    void exchangeBindingsFeedTheSubscriptionAndConsistentWorkerKeepsOrder() throws Exception {
        GatewayServer plain = ours.start(Transport.UDP, null);
        GatewayServer bridge = ours.start(Transport.UDP, plain.config().dmq().serverAddress().toUriString());
        await("joined", Duration.ofSeconds(20), () -> plain.dmq().nodes().size() == 2);
        List<Integer> order = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        plain.dmq().registerChannel("ordered", DispatchMode.HANDLE, m -> {
            try {
                order.add(json.readTree(m.body()).get("n").asInt());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return CompletableFuture.completedFuture(DmqResponse.ok());
        });
        String source = exchange + ".src";
        String sub = "{\"exchange\":\"" + exchange + "\",\"type\":\"topic\",\"queue\":\"" + queue + "\",\"routing\":\"#\","
                + "\"channel\":\"ordered\",\"prefetch\":20,\"consistent-worker\":1,\"consistent-worker-key\":\"Group\","
                + "\"exchange-bindings\":{\"" + source + "\":{\"type\":\"topic\",\"routing\":\"#\"}}}";
        KazooBridgeTestAccess.start(bridge, List.of(TestBroker.uri().toString()), List.of(), List.of(sub), List.of());
        await("subscribed", Duration.ofSeconds(20), () -> {
            try {
                return channel.consumerCount(queue) == 1;
            } catch (Exception e) {
                channel = reopen();
                return false;
            }
        });
        for (int i = 0; i < 30; i++) {
            channel.basicPublish(source, "k", new AMQP.BasicProperties.Builder().contentType("application/json").build(),
                    ("{\"Group\":\"g1\",\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8));
        }
        await("all delivered", Duration.ofSeconds(30), () -> order.size() == 30);
        List<Integer> expected = new java.util.ArrayList<>();
        for (int i = 0; i < 30; i++) {
            expected.add(i);
        }
        assertEquals(expected, order, "delivered in order for one consistent-worker key");
        channel.exchangeDelete(source);
    }

    private JsonNode status(GatewayServer s) {
        try {
            return json.readTree(s.rpc().handle("{\"jsonrpc\":\"2.0\",\"method\":\"kazoo.status\",\"id\":1}"
                    .getBytes(StandardCharsets.UTF_8)).join()).path("result");
        } catch (Exception e) {
            return json.createObjectNode();
        }
    }

    private Channel reopen() {
        try {
            return amqp.createChannel();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

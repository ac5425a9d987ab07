package org.kdmq.it.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.kdmq.it.OurNodes.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.kdmq.bridge.KazooBridgeTestAccess;
import org.kdmq.bridge.amqp.TestBroker;
import org.kdmq.gateway.api.NodeReply;
import org.kdmq.gateway.server.GatewayServer;
import org.kdmq.gateway.transport.Transport;
import org.kdmq.it.OurNodes;

/**
 * The broker restarts in the middle of a publish stream: every message still arrives at least once
 * (publisher confirms, the buffer, and resending after the client's recovery). Needs a broker this test
 * can restart: the local one through rabbitmqctl (as on our CI machines).
 */
class BrokerRestartTest {
    private static final Path RABBITMQCTL = Path.of("/usr/sbin/rabbitmqctl");

    private static void rabbitmqctl(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(RABBITMQCTL.toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0, "rabbitmqctl " + args[0] + ": " + out);
    }

    @Test
    void everyMessageArrivesAtLeastOnceAcrossABrokerRestart() throws Exception {
        String uri = TestBroker.uri().toString();
        assertTrue(Files.isExecutable(RABBITMQCTL) && uri.contains("127.0.0.1"),
                "this test restarts the local RabbitMQ with rabbitmqctl (.ci/run provides one)");
        String id = UUID.randomUUID().toString();
        String exchange = "kdmq.restart." + id;
        String queue = "kdmq-restart-" + id;
        ConnectionFactory f = new ConnectionFactory();
        f.setUri(uri);
        f.setAutomaticRecoveryEnabled(true);
        try (OurNodes ours = new OurNodes()) {
            try (Connection setup = f.newConnection("kdmq-it-setup")) {
                Channel ch = setup.createChannel();
                // A durable exchange and queue, and persistent messages: what was confirmed survives the restart.
                ch.exchangeDeclare(exchange, "topic", true, false, null);
                ch.queueDeclare(queue, true, false, false, null);
                ch.queueBind(queue, exchange, "#");
            }
            GatewayServer sender = ours.start(Transport.UDP, null);
            GatewayServer bridge = ours.start(Transport.UDP, sender.config().dmq().serverAddress().toUriString());
            KazooBridgeTestAccess.start(bridge, List.of(uri), List.of("{\"channel\":\"stream\",\"exchange\":\"" + exchange + "\",\"type\":\"topic\",\"persistent\":true,\"passive\":true}"));
            await("joined", Duration.ofSeconds(20), () -> sender.dmq().nodes().size() == 2);

            ConcurrentLinkedQueue<NodeReply> replies = new ConcurrentLinkedQueue<>();
            int total = 400;
            for (int i = 0; i < total; i++) {
                if (i == 150) {
                    rabbitmqctl("stop_app");
                }
                if (i == 250) {
                    rabbitmqctl("start_app");
                    rabbitmqctl("await_startup");
                }
                String body = "{\"Event-Category\":\"s\",\"Event-Name\":\"n\",\"n\":" + i + "}";
                sender.dmq().bcast("stream", body.getBytes(StandardCharsets.UTF_8), "application/json", null, 1, replies::add);
            }
            await("every broadcast answered", Duration.ofSeconds(120), () -> replies.size() == total);

            Set<Integer> seen = new HashSet<>();
            ObjectMapper json = new ObjectMapper();
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            try (Connection check = f.newConnection("kdmq-it-check")) {
                Channel ch = check.createChannel();
                while (seen.size() < total && System.nanoTime() < deadline) {
                    GetResponse r = ch.basicGet(queue, true);
                    if (r == null) {
                        java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
                    } else {
                        seen.add(json.readTree(r.getBody()).get("n").asInt());
                    }
                }
                ch.queueDelete(queue);
                ch.exchangeDelete(exchange);
            }
            // Messages whose KDMQ got a 200 were confirmed by the broker: they must all be there.
            long answered200 = replies.stream().filter(r -> r.statusCode() == 200).count();
            assertTrue(seen.size() >= answered200, "confirmed " + answered200 + " but found " + seen.size());
            assertEquals(total, seen.size(), "every message arrived at least once (the others were answered "
                    + replies.stream().filter(r -> r.statusCode() != 200).map(NodeReply::statusCode).distinct().toList() + ")");
        }
    }

    /**
     * Queries in both directions while the broker restarts: every KDMQ query gets its final answer (200,
     * or 408/503 with a reason) within its timeout, none is left hanging, and both directions work again
     * once the broker is back.
     */
    @Test
    void queriesAreAnsweredOrFailedAcrossABrokerRestart() throws Exception {
        String uri = TestBroker.uri().toString();
        assertTrue(Files.isExecutable(RABBITMQCTL) && uri.contains("127.0.0.1"),
                "this test restarts the local RabbitMQ with rabbitmqctl (.ci/run provides one)");
        String id = UUID.randomUUID().toString();
        String asks = "kdmq.asks." + id;
        String requests = "kdmq.requests." + id;
        ObjectMapper json = new ObjectMapper();
        ConnectionFactory f = new ConnectionFactory();
        f.setUri(uri);
        f.setAutomaticRecoveryEnabled(true);
        f.setNetworkRecoveryInterval(500);
        try (OurNodes ours = new OurNodes(); Connection responder = f.newConnection("kdmq-it-responder")) {
            // A Kazoo-style responder that recovers with its topology.
            Channel rch = responder.createChannel();
            rch.exchangeDeclare(asks, "topic", false, false, null);
            rch.exchangeDeclare("targeted", "direct", false, false, null); // as Kazoo's responders do
            String rq = rch.queueDeclare("", false, true, true, null).getQueue();
            rch.queueBind(rq, asks, "#");
            rch.basicConsume(rq, true, (tag, d) -> {
                com.fasterxml.jackson.databind.JsonNode req = json.readTree(d.getBody());
                rch.basicPublish("targeted", req.path("Server-ID").asText(), null,
                        ("{\"Msg-ID\":\"" + req.path("Msg-ID").asText() + "\",\"Ok\":true}").getBytes(StandardCharsets.UTF_8));
            }, tag -> { });
            GatewayServer asker = ours.start(Transport.UDP, null);
            GatewayServer bridge = ours.start(Transport.UDP, asker.config().dmq().serverAddress().toUriString());
            asker.dmq().registerChannel("dir", org.kdmq.gateway.api.DispatchMode.HANDLE, m -> java.util.concurrent.CompletableFuture
                    .completedFuture(org.kdmq.gateway.api.DmqResponse.ok("{\"User\":\"u\"}", "application/json")));
            String sub = "{\"exchange\":\"" + requests + "\",\"type\":\"topic\",\"queue\":\"kdmq-rq-" + id + "\",\"routing\":\"#\"}";
            KazooBridgeTestAccess.start(bridge, List.of(uri), List.of(), List.of(sub), List.of(),
                    List.of("consumer-event-directory-lookup=dir"), List.of("ask=" + asks), 1000);
            await("joined", Duration.ofSeconds(20), () -> asker.dmq().nodes().size() == 2);
            byte[] query = "{\"Event-Category\":\"registrar\",\"Event-Name\":\"query\"}".getBytes(StandardCharsets.UTF_8);
            await("the query path works", Duration.ofSeconds(20), () -> asker.dmq().send("ask", bridge.config().dmq().serverAddress(),
                    query, "application/json", 1).join().statusCode() == 200);

            List<java.util.concurrent.CompletableFuture<NodeReply>> kdmqs = new java.util.ArrayList<>();
            int total = 150;
            for (int i = 0; i < total; i++) {
                if (i == 50) {
                    rabbitmqctl("stop_app");
                }
                if (i == 100) {
                    rabbitmqctl("start_app");
                    rabbitmqctl("await_startup");
                }
                kdmqs.add(asker.dmq().send("ask", bridge.config().dmq().serverAddress(), query, "application/json", 1));
            }
            // Each one answered within its 1 s timeout (the KDMQ transaction lives 2 s here): none left hanging.
            java.util.concurrent.CompletableFuture.allOf(kdmqs.toArray(java.util.concurrent.CompletableFuture[]::new))
                    .get(30, TimeUnit.SECONDS);
            Map<Integer, Long> statuses = kdmqs.stream().map(java.util.concurrent.CompletableFuture::join)
                    .collect(java.util.stream.Collectors.groupingBy(NodeReply::statusCode, java.util.stream.Collectors.counting()));
            assertTrue(statuses.keySet().stream().allMatch(s -> s == 200 || s == 408 || s == 503), statuses.toString());
            assertTrue(statuses.getOrDefault(200, 0L) >= 50, "answered before the restart: " + statuses);

            // Both directions work again once the broker and every client have recovered.
            await("DMQ to AMQP queries answered again", Duration.ofSeconds(60), () -> asker.dmq().send("ask",
                    bridge.config().dmq().serverAddress(), query, "application/json", 1).join().statusCode() == 200);
            try (Connection requester = f.newConnection("kdmq-it-requester")) {
                Channel ch = requester.createChannel();
                java.util.concurrent.BlockingQueue<String> replies = new java.util.concurrent.LinkedBlockingQueue<>();
                ch.basicConsume("amq.rabbitmq.reply-to", true, (tag, d) -> replies.add(d.getProperties().getCorrelationId()), tag -> { });
                await("AMQP to DMQ queries answered again", Duration.ofSeconds(60), () -> {
                    try {
                        String correlation = UUID.randomUUID().toString();
                        ch.basicPublish(requests, "directory.lookup", new com.rabbitmq.client.AMQP.BasicProperties.Builder()
                                .contentType("application/json").replyTo("amq.rabbitmq.reply-to").correlationId(correlation).build(),
                                "{\"Event-Category\":\"directory\",\"Event-Name\":\"lookup\"}".getBytes(StandardCharsets.UTF_8));
                        return correlation.equals(replies.poll(2, TimeUnit.SECONDS));
                    } catch (Exception e) {
                        return false;
                    }
                });
                ch.exchangeDelete(requests);
                ch.exchangeDelete(asks);
            }
        }
    }
}

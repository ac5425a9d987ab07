package org.kdmq.it.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.kdmq.it.OurNodes.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.kdmq.bridge.KazooBridgeTestAccess;
import org.kdmq.bridge.amqp.TestBroker;
import org.kdmq.gateway.api.DispatchMode;
import org.kdmq.gateway.api.DmqResponse;
import org.kdmq.gateway.server.GatewayServer;
import org.kdmq.gateway.transport.Transport;
import org.kdmq.it.OurNodes;

/**
 * The runnable examples under {@code integration-tests/clients}, written from the README's message
 * formats alone: Python (pika, Debian's python3-pika) querying with reply_to + correlation_id and
 * consuming mirrored events, Node (amqplib) querying the Kazoo way. Missing interpreters fail the
 * test (.ci/run installs them); they are never skipped.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OtherLanguageClientsTest {
    private static final Path CLIENTS = Path.of("clients");
    private final OurNodes ours = new OurNodes();
    private final ObjectMapper json = new ObjectMapper();
    private GatewayServer plain;
    private GatewayServer bridge;
    private String requests;
    private String events;
    private String amqpUrl;

    @BeforeAll
    void start() throws Exception {
        plain = ours.start(Transport.UDP, null);
        bridge = ours.start(Transport.UDP, plain.config().dmq().serverAddress().toUriString());
        await("joined", Duration.ofSeconds(20), () -> plain.dmq().nodes().size() == 2 && bridge.dmq().nodes().size() == 2);
        plain.dmq().registerChannel("dir", DispatchMode.HANDLE, m -> {
            String name;
            try {
                name = json.readTree(m.body()).path("Name").asText();
            } catch (IOException e) {
                return CompletableFuture.completedFuture(DmqResponse.error(400, "Bad Request"));
            }
            return CompletableFuture.completedFuture(DmqResponse.ok("{\"User\":\"" + name + "\",\"Realm\":\"example.org\"}",
                    "application/json"));
        });
        String id = UUID.randomUUID().toString();
        requests = "kdmq.requests." + id;
        events = "kdmq.events." + id;
        amqpUrl = TestBroker.uri().toString();
        String queue = "kdmq-requests-" + id;
        String sub = "{\"exchange\":\"" + requests + "\",\"type\":\"topic\",\"queue\":\"" + queue + "\",\"routing\":\"#\"}";
        KazooBridgeTestAccess.start(bridge, List.of(amqpUrl), List.of("presence=" + events + ":topic"), List.of(sub), List.of(),
                List.of("consumer-event-directory-lookup=dir"), List.of(), 2000);
        ConnectionFactory f = new ConnectionFactory();
        f.setUri(amqpUrl);
        try (Connection c = f.newConnection()) {
            await("subscribed", Duration.ofSeconds(20), () -> {
                try (Channel ch = c.createChannel()) {
                    return ch.consumerCount(queue) == 1;
                } catch (Exception e) {
                    return false;
                }
            });
        }
    }

    @AfterAll
    void stop() throws Exception {
        ours.close();
        ConnectionFactory f = new ConnectionFactory();
        f.setUri(amqpUrl);
        try (Connection c = f.newConnection(); Channel ch = c.createChannel()) {
            ch.exchangeDelete(requests);
            ch.exchangeDelete(events);
        }
    }

    @Test
    void pythonQueriesWithReplyToAndCorrelationId() throws Exception {
        Result r = run(List.of(python(), "clients/python/query_reply_to.py", amqpUrl, requests, "directory.lookup", "50", "30"),
                null, Duration.ofSeconds(60));
        assertEquals(0, r.exit, r.toString());
        assertEquals(50, r.lines.size(), r.toString());
        for (String line : r.lines) {
            JsonNode item = json.readTree(line);
            assertEquals(item.path("asked").asText(), item.path("reply").path("User").asText(), line);
            assertEquals("example.org", item.path("reply").path("Realm").asText());
        }
    }

    @Test
    void nodeQueriesTheKazooWay() throws Exception {
        Path node = CLIENTS.resolve("node");
        if (!Files.isDirectory(node.resolve("node_modules/amqplib"))) {
            Result install = run(List.of("npm", "ci", "--no-audit", "--no-fund"), node, Duration.ofMinutes(3));
            assertEquals(0, install.exit, "npm ci in " + node.toAbsolutePath() + ": " + install);
        }
        Result r = run(List.of("node", "clients/node/kazoo_query.js", amqpUrl, requests, "directory.lookup", "carol", "10000"),
                null, Duration.ofSeconds(30));
        assertEquals(0, r.exit, r.toString());
        JsonNode reply = json.readTree(r.lines.get(r.lines.size() - 1));
        assertEquals("carol", reply.path("User").asText());
        assertEquals(200, reply.path("KDMQ-Status").asInt());
    }

    @Test
    void pythonConsumesMirroredEvents() throws Exception {
        LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Process p = new ProcessBuilder(python(), "clients/python/consume_events.py", amqpUrl, events, "#", "2", "30")
                .redirectErrorStream(true).start();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                in.lines().forEach(lines::add);
            } catch (IOException ignored) {
                // process gone
            }
        });
        reader.start();
        try {
            String first = lines.poll(30, TimeUnit.SECONDS);
            assertEquals("READY", first, "the consumer bound its queue");
            plain.dmq().bcast("presence", "{\"Event-Category\":\"presence\",\"Event-Name\":\"update\",\"From\":\"alice\"}"
                    .getBytes(StandardCharsets.UTF_8), "application/json", null, 1, r -> { });
            plain.dmq().bcast("presence", "not json".getBytes(StandardCharsets.UTF_8), "text/plain", null, 1, r -> { });
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "consumer finished");
            reader.join(10_000);
            assertEquals(0, p.exitValue(), lines.toString());
            java.util.Map<String, JsonNode> byKey = new java.util.HashMap<>();
            for (String line : lines) {
                JsonNode item = json.readTree(line);
                byKey.put(item.path("routing_key").asText(), item);
            }
            JsonNode event = byKey.get("presence.update");
            assertTrue(event != null, byKey.toString());
            assertEquals("presence", event.path("channel").asText());
            assertEquals("alice", event.path("body").path("From").asText());
            assertEquals(event.path("message_id").asText(), event.path("body").path("Msg-ID").asText());
            JsonNode wrapped = byKey.get("dmq.presence");
            assertTrue(wrapped != null, "a non-JSON body goes out wrapped: " + byKey);
            assertEquals("not json", wrapped.path("body").path("Body").asText());
            assertEquals("text/plain", wrapped.path("body").path("Content-Type").asText());
        } finally {
            p.destroyForcibly();
        }
    }

    /** Debian's interpreter, where python3-pika lives (a pyenv python3 on PATH may lack it). */
    private static String python() {
        return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }

    private record Result(int exit, List<String> lines) {
        @Override
        public String toString() {
            return "exit " + exit + ": " + String.join("\n", lines);
        }
    }

    private static Result run(List<String> command, Path dir, Duration limit) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        Process p = pb.start();
        CompletableFuture<List<String>> out = CompletableFuture.supplyAsync(() -> {
            List<String> lines = new ArrayList<>();
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                in.lines().forEach(lines::add);
            } catch (IOException ignored) {
                // process gone
            }
            return lines;
        });
        if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command + " did not finish within " + limit + ": " + out.getNow(List.of()));
        }
        return new Result(p.exitValue(), out.get(10, TimeUnit.SECONDS));
    }
}

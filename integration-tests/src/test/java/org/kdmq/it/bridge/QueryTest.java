package org.kdmq.it.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.kdmq.it.OurNodes.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
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
import org.kdmq.gateway.api.NodeReply;
import org.kdmq.gateway.cli.Main;
import org.kdmq.gateway.server.GatewayServer;
import org.kdmq.gateway.transport.Transport;
import org.kdmq.it.OurNodes;

/**
 * Queries with replies in both directions through a bridge, against a real RabbitMQ: AMQP requesters
 * in the Kazoo convention (Server-ID/Msg-ID) and the plain one (reply_to/correlation_id with direct
 * reply-to), error replies, and DMQ nodes asking AMQP responders through a query channel.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QueryTest {
    private final OurNodes ours = new OurNodes();
    private final ObjectMapper json = new ObjectMapper();
    private GatewayServer plain;
    private GatewayServer bridge;
    private Connection amqp;
    private Channel channel;
    private String requests;
    private String asks;
    private String queue;
    private final LinkedBlockingQueue<ObjectNode> asked = new LinkedBlockingQueue<>();

    @BeforeAll
    void start() throws Exception {
        plain = ours.start(Transport.UDP, null);
        bridge = ours.start(Transport.UDP, plain.config().dmq().serverAddress().toUriString());
        await("joined", Duration.ofSeconds(20), () -> plain.dmq().nodes().size() == 2 && bridge.dmq().nodes().size() == 2);
        // "dir" is answered by the plain node only: the bridge has no handler, so queries are broadcast.
        plain.dmq().registerChannel("dir", DispatchMode.HANDLE, m -> {
            JsonNode request = read(m.body());
            if (request.path("Name").asText().equals("nobody")) {
                return CompletableFuture.completedFuture(DmqResponse.error(404, "No Such User"));
            }
            return CompletableFuture.completedFuture(DmqResponse.ok("{\"User\":\"" + request.path("Name").asText()
                    + "\",\"Answered-By\":\"plain\"}", "application/json"));
        });
        plain.dmq().registerChannel("slow", DispatchMode.HANDLE, m -> new CompletableFuture<>()); // never answers
        for (GatewayServer s : List.of(plain, bridge)) {
            String who = s == plain ? "plain" : "bridge";
            s.dmq().registerChannel("multi", DispatchMode.HANDLE, m ->
                    CompletableFuture.completedFuture(DmqResponse.ok("{\"From\":\"" + who + "\"}", "application/json")));
        }
        ConnectionFactory f = new ConnectionFactory();
        f.setUri(TestBroker.uri());
        amqp = f.newConnection("kdmq-it-query");
        channel = amqp.createChannel();
        String id = UUID.randomUUID().toString();
        requests = "kdmq.requests." + id;
        asks = "kdmq.asks." + id;
        queue = "kdmq-requests-" + id;
        channel.exchangeDeclare(asks, "topic", false, false, null);
        String askQueue = channel.queueDeclare("", false, true, true, null).getQueue();
        channel.queueBind(askQueue, asks, "#");
        channel.basicConsume(askQueue, true, (tag, d) -> asked.add((ObjectNode) json.readTree(d.getBody())), tag -> { });
        String sub = "{\"exchange\":\"" + requests + "\",\"type\":\"topic\",\"queue\":\"" + queue + "\",\"routing\":\"#\"}";
        KazooBridgeTestAccess.start(bridge, List.of(TestBroker.uri().toString()), List.of(), List.of(sub), List.of(),
                List.of("consumer-event-directory-lookup=dir", "consumer-event-directory-slow=slow",
                        "consumer-event-directory-nowhere=nowhere", "consumer-event-directory-multi=multi"),
                List.of("ask=" + asks), 2000);
        await("subscribed", Duration.ofSeconds(20), () -> consumers(queue) == 1);
        await("targeted queue", Duration.ofSeconds(20), () -> !status().path("targeted_queue").asText().isEmpty()
                && consumers(status().path("targeted_queue").asText()) == 1);
    }

    @AfterAll
    void stop() throws Exception {
        ours.close();
        Channel ch = amqp.createChannel();
        ch.exchangeDelete(requests);
        ch.exchangeDelete(asks);
        amqp.close();
    }

    /** A Kazoo-style requester: its own queue bound to targeted, Server-ID = that queue, a Msg-ID to match. */
    private final class KazooRequester implements AutoCloseable {
        final Channel ch;
        final String replyQueue;
        final Map<String, CompletableFuture<JsonNode>> waiting = new ConcurrentHashMap<>();

        KazooRequester() throws Exception {
            ch = amqp.createChannel();
            ch.exchangeDeclare("targeted", "direct", false, false, null);
            replyQueue = "kdmq-it-requester-" + UUID.randomUUID();
            ch.queueDeclare(replyQueue, false, true, true, null);
            ch.queueBind(replyQueue, "targeted", replyQueue);
            ch.basicConsume(replyQueue, true, (tag, d) -> {
                JsonNode reply = json.readTree(d.getBody());
                CompletableFuture<JsonNode> f = waiting.remove(reply.path("Msg-ID").asText());
                if (f != null) {
                    f.complete(reply);
                }
            }, tag -> { });
        }

        CompletableFuture<JsonNode> ask(ObjectNode request) throws Exception {
            String msgId = UUID.randomUUID().toString();
            request.put("Msg-ID", msgId).put("Server-ID", replyQueue);
            CompletableFuture<JsonNode> reply = new CompletableFuture<>();
            waiting.put(msgId, reply);
            ch.basicPublish(requests, "directory", new AMQP.BasicProperties.Builder().contentType("application/json").build(),
                    json.writeValueAsBytes(request));
            return reply;
        }

        @Override
        public void close() throws Exception {
            ch.close();
        }
    }

    private ObjectNode request(String name) {
        return json.createObjectNode().put("Event-Category", "directory").put("Event-Name", name);
    }

    @Test
    void kazooStyleQueryIsAnsweredToTargetedWithTheMsgIdEchoed() throws Exception {
        try (KazooRequester r = new KazooRequester()) {
            JsonNode reply = r.ask(request("lookup").put("Name", "alice")).get(10, TimeUnit.SECONDS);
            assertEquals("alice", reply.path("User").asText());
            assertEquals("plain", reply.path("Answered-By").asText(), "broadcast: the node with a handler answered");
            assertEquals(200, reply.path("KDMQ-Status").asInt());
            assertEquals(plain.config().dmq().serverAddress().toUriString(), reply.path("KDMQ-Node").asText());
            assertEquals("kdmq-gateway", reply.path("App-Name").asText());

            JsonNode unicast = r.ask(request("multi").put("Target-Node", plain.config().dmq().serverAddress().toUriString()))
                    .get(10, TimeUnit.SECONDS);
            assertEquals("plain", unicast.path("From").asText(), "the named node answers, not our local handler");
            JsonNode local = r.ask(request("multi")).get(10, TimeUnit.SECONDS);
            assertEquals("bridge", local.path("From").asText(), "our own handler first");
            JsonNode all = r.ask(request("multi").put("Query-Collect", true).put("Query-Timeout", 1500)).get(10, TimeUnit.SECONDS);
            assertEquals(2, all.path("Replies").size(), all.toString());
        }
    }

    @Test
    void errorsAreRepliedInTheSameConvention() throws Exception {
        try (KazooRequester r = new KazooRequester()) {
            JsonNode refused = r.ask(request("lookup").put("Name", "nobody")).get(10, TimeUnit.SECONDS);
            assertEquals("error", refused.path("Event-Category").asText());
            assertEquals(404, refused.path("SIP-Status").asInt());
            assertEquals("No Such User", refused.path("SIP-Reason").asText());

            JsonNode nowhere = r.ask(request("nowhere")).get(10, TimeUnit.SECONDS);
            assertEquals("error", nowhere.path("Event-Category").asText());
            assertEquals(404, nowhere.path("SIP-Status").asInt(), "no node has a handler: " + nowhere);

            JsonNode slow = r.ask(request("slow").put("Query-Timeout", 300)).get(10, TimeUnit.SECONDS);
            assertEquals("error", slow.path("Event-Category").asText());
            assertTrue(slow.path("Error-Message").asText().contains("within 300 ms"), slow.toString());

            JsonNode bad = r.ask(request("lookup").put("Target-Node", "no such thing")).get(10, TimeUnit.SECONDS);
            assertTrue(bad.path("Error-Message").asText().startsWith("bad request"), bad.toString());
            JsonNode stranger = r.ask(request("lookup").put("Target-Node", "sip:127.0.0.1:9")).get(10, TimeUnit.SECONDS);
            assertTrue(stranger.path("Error-Message").asText().contains("not a node"), stranger.toString());
        }
        // Unreadable or unroutable, but a reply_to says someone waits: an error reply, not silence.
        long rejectedAtStart = status().path("consumer").path("rejected").asLong();
        Channel rpc = amqp.createChannel();
        LinkedBlockingQueue<JsonNode> errors = new LinkedBlockingQueue<>();
        rpc.basicConsume("amq.rabbitmq.reply-to", true, (tag, d) -> errors.add(json.readTree(d.getBody())), tag -> { });
        for (String body : List.of("not json", "{\"Event-Category\":\"unknown\"}")) {
            rpc.basicPublish(requests, "directory", new AMQP.BasicProperties.Builder().contentType("application/json")
                    .replyTo("amq.rabbitmq.reply-to").build(), body.getBytes(StandardCharsets.UTF_8));
            JsonNode error = errors.poll(10, TimeUnit.SECONDS);
            assertNotNull(error, "an error reply to " + body);
            assertEquals("error", error.path("Event-Category").asText());
            assertTrue(error.path("Error-Message").asText().startsWith("bad request"), error.toString());
        }
        rpc.close();
        // The error reply goes out before the broker is told of the reject: wait for both rejects to be counted.
        await("both refused requests rejected", Duration.ofSeconds(10),
                () -> status().path("consumer").path("rejected").asLong() == rejectedAtStart + 2);
        // No reply address at all: nobody to answer, the message is rejected and counted.
        long invalidBefore = rejectedAtStart + 2;
        channel.basicPublish(requests, "directory", new AMQP.BasicProperties.Builder().contentType("application/json").build(),
                json.writeValueAsBytes(request("lookup").put("Name", "x")));
        await("rejected", Duration.ofSeconds(10), () -> status().path("consumer").path("rejected").asLong() == invalidBefore + 1);
    }

    @Test
    void plainRpcWithDirectReplyToKeepsEveryCorrelationAcrossAThousandConcurrentQueries() throws Exception {
        int n = 1000;
        Channel rpc = amqp.createChannel();
        Map<String, CompletableFuture<JsonNode>> byCorrelation = new ConcurrentHashMap<>();
        rpc.basicConsume("amq.rabbitmq.reply-to", true, (tag, d) -> {
            CompletableFuture<JsonNode> f = byCorrelation.get(d.getProperties().getCorrelationId());
            if (f != null) {
                f.complete(json.readTree(d.getBody()));
            }
        }, tag -> { });
        for (int i = 0; i < n; i++) {
            String correlation = "c-" + i;
            byCorrelation.put(correlation, new CompletableFuture<>());
            rpc.basicPublish(requests, "directory", new AMQP.BasicProperties.Builder().contentType("application/json")
                    .replyTo("amq.rabbitmq.reply-to").correlationId(correlation).build(),
                    json.writeValueAsBytes(request("lookup").put("Name", "user-" + i)));
        }
        for (int i = 0; i < n; i++) {
            JsonNode reply = byCorrelation.get("c-" + i).get(60, TimeUnit.SECONDS);
            assertEquals("user-" + i, reply.path("User").asText(), "reply delivered to the wrong requester");
        }
        rpc.close();
    }

    @Test
    void aDmqNodeAsksTheAmqpWorldThroughAQueryChannel() throws Exception {
        CompletableFuture<NodeReply> kdmq = plain.dmq().send("ask", bridge.config().dmq().serverAddress(),
                "{\"Event-Category\":\"registrar\",\"Event-Name\":\"query\",\"Username\":\"bob\"}".getBytes(StandardCharsets.UTF_8),
                "application/json", 1);
        ObjectNode request = asked.poll(10, TimeUnit.SECONDS);
        assertNotNull(request, "the query was published");
        assertEquals("bob", request.path("Username").asText());
        String serverId = request.path("Server-ID").asText();
        assertEquals(status().path("targeted_queue").asText(), serverId);
        replyTo(request, "{\"Contact\":\"sip:bob@10.0.0.1\"}");
        NodeReply reply = kdmq.get(10, TimeUnit.SECONDS);
        assertEquals(200, reply.statusCode());
        JsonNode body = json.readTree(reply.body());
        assertEquals("sip:bob@10.0.0.1", body.path("Contact").asText());
        assertEquals(request.path("Msg-ID").asText(), body.path("Msg-ID").asText());

        // No reply: 408 with a reason, within the request's timeout; the late reply is counted and dropped.
        CompletableFuture<NodeReply> unanswered = plain.dmq().send("ask", bridge.config().dmq().serverAddress(),
                "{\"Event-Category\":\"registrar\",\"Event-Name\":\"query\",\"Query-Timeout\":300}".getBytes(StandardCharsets.UTF_8),
                "application/json", 1);
        ObjectNode ignored = asked.poll(10, TimeUnit.SECONDS);
        NodeReply timeout = unanswered.get(10, TimeUnit.SECONDS);
        assertEquals(408, timeout.statusCode());
        assertTrue(timeout.reason().contains("300 ms"), timeout.reason());
        long unmatched = metric("kdmq_bridge_replies_unmatched_total");
        replyTo(ignored, "{\"Contact\":\"late\"}");
        await("late reply counted", Duration.ofSeconds(10), () -> metric("kdmq_bridge_replies_unmatched_total") == unmatched + 1);

        NodeReply notJson = plain.dmq().send("ask", bridge.config().dmq().serverAddress(),
                "hello".getBytes(StandardCharsets.UTF_8), "text/plain", 1).get(10, TimeUnit.SECONDS);
        assertEquals(400, notJson.statusCode());
    }

    @Test
    void operatorsAskByRpcAndByCommandLine() throws Exception {
        CompletableFuture<byte[]> rpc = bridge.rpc().handle(("{\"jsonrpc\":\"2.0\",\"method\":\"kazoo.query\",\"id\":7,\"params\":"
                + "{\"exchange\":\"" + asks + "\",\"payload\":\"{\\\"Event-Category\\\":\\\"ops\\\",\\\"Event-Name\\\":\\\"rpc\\\"}\"}}")
                .getBytes(StandardCharsets.UTF_8));
        replyTo(asked.poll(10, TimeUnit.SECONDS), "{\"Answer\":42}");
        JsonNode result = json.readTree(rpc.get(10, TimeUnit.SECONDS));
        assertEquals(42, result.path("result").path("Answer").asInt(), result.toString());

        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String uri = TestBroker.uri().toString();
        CompletableFuture<Integer> cli = CompletableFuture.supplyAsync(() -> Main.execute(new String[] {"amqp-query",
                "--amqp-connection", uri, "-e", asks, "--timeout", "10000",
                "{\"Event-Category\":\"ops\",\"Event-Name\":\"cli\"}"}, Map.of(), new PrintWriter(out, true), new PrintWriter(err, true)));
        ObjectNode cliRequest = asked.poll(20, TimeUnit.SECONDS);
        assertNotNull(cliRequest, "the command line published its query: " + err);
        replyTo(cliRequest, "{\"Answer\":\"by hand\"}");
        assertEquals(0, cli.get(20, TimeUnit.SECONDS), err.toString());
        assertEquals("by hand", json.readTree(out.toString()).path("Answer").asText());
        assertEquals(2, Main.execute(new String[] {"amqp-query", "--amqp-connection", "amqp://127.0.0.1", "-e", "x", "[1]"},
                Map.of(), new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter())));
    }

    /**
     * amqp-bench drives the Kazoo query route at a fixed rate and reports its round trips; next to the
     * latency from each query's intended send time it reports the generator's own lag and the latency
     * from the actual send, which can only be the smaller of the two (a query is never sent early).
     */
    @Test
    void amqpBenchReportsRoundTripsAndItsOwnLag() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.execute(new String[] {"amqp-bench", "--amqp-connection", TestBroker.uri().toString(), "-e", requests,
                "-k", "directory", "--event", "directory/lookup", "--rate", "200", "--duration", "1", "--warmup", "0", "--json"},
                Map.of(), new PrintWriter(out, true), new PrintWriter(err, true));
        assertEquals(0, exit, err.toString());
        JsonNode report = json.readTree(out.toString().trim());
        assertEquals(200, report.path("sent").asInt(), report.toString());
        assertEquals(200, report.path("answered").asInt(), report.toString());
        assertEquals(0, report.path("errors").asInt(), report.toString());
        for (String p : List.of("p50", "p90", "p99", "p99.9", "max")) {
            double fromIntended = report.path("latency_ms").path(p).asDouble(-1);
            double fromSend = report.path("from_send_ms").path(p).asDouble(-1);
            assertTrue(fromIntended > 0 && fromSend > 0 && report.path("send_lag_ms").has(p), report.toString());
            // HdrHistogram keeps 3 significant digits: equal values may differ by that much.
            assertTrue(fromSend <= fromIntended * 1.001, p + ": " + report);
        }
    }

    /** A Kazoo responder: to exchange targeted, routing key = the request's Server-ID, echoing Msg-ID. */
    private void replyTo(ObjectNode request, String fields) throws Exception {
        ObjectNode reply = (ObjectNode) json.readTree(fields);
        reply.put("Msg-ID", request.path("Msg-ID").asText());
        channel.basicPublish("targeted", request.path("Server-ID").asText(),
                new AMQP.BasicProperties.Builder().contentType("application/json").build(), json.writeValueAsBytes(reply));
    }

    private JsonNode read(byte[] body) {
        try {
            return json.readTree(body);
        } catch (Exception e) {
            return json.createObjectNode();
        }
    }

    private long consumers(String q) {
        try (Channel ch = amqp.createChannel()) {
            return ch.consumerCount(q);
        } catch (Exception e) {
            return -1;
        }
    }

    private long metric(String name) {
        return bridge.metrics().scrape().lines().filter(l -> l.startsWith(name + " ")).findFirst()
                .map(l -> (long) Double.parseDouble(l.substring(name.length() + 1))).orElse(-1L);
    }

    private JsonNode status() {
        try {
            return json.readTree(bridge.rpc().handle("{\"jsonrpc\":\"2.0\",\"method\":\"kazoo.status\",\"id\":1}"
                    .getBytes(StandardCharsets.UTF_8)).join()).path("result");
        } catch (Exception e) {
            return json.createObjectNode();
        }
    }
}

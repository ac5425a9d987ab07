package org.kdmq.it.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.kdmq.it.OurNodes.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.kdmq.bridge.amqp.TestBroker;
import org.kdmq.gateway.api.NodeReply;
import org.kdmq.gateway.cli.Main;
import org.kdmq.gateway.server.GatewayServer;
import org.kdmq.gateway.transport.Transport;
import org.kdmq.it.OurNodes;
import org.kdmq.it.kamailio.KamailioNode;

/** DMQ to AMQP through the bridge, against a real RabbitMQ (and a real Kamailio as the sender). */
class BridgePublishTest {
    private final OurNodes ours = new OurNodes();
    private final ObjectMapper json = new ObjectMapper();
    private CapturedExchange captured;
    private Channel channel;
    private String exchange;
    private String queue;

    @BeforeEach
    void broker() throws Exception {
        captured = new CapturedExchange("kdmq.it.");
        channel = captured.channel;
        exchange = captured.exchange;
        queue = captured.queue;
    }

    @AfterEach
    void stop() throws Exception {
        ours.close();
        captured.close();
    }

    private GatewayServer bridged(String notify) throws Exception {
        GatewayServer s = ours.start(Transport.UDP, notify);
        org.kdmq.bridge.KazooBridgeTestAccess.start(s, List.of(TestBroker.uri().toString()),
                List.of("mychannel=" + exchange + ":topic"));
        await("bridge ready", Duration.ofSeconds(30), () -> s.rpc() != null && bridgeReady(s));
        return s;
    }

    private static boolean bridgeReady(GatewayServer s) {
        try {
            byte[] answer = s.rpc().handle("{\"jsonrpc\":\"2.0\",\"method\":\"kazoo.status\",\"id\":1}"
                    .getBytes(StandardCharsets.UTF_8)).join();
            return new ObjectMapper().readTree(answer).path("result").path("publishing").asBoolean();
        } catch (Exception e) {
            return false;
        }
    }

    private List<GetResponse> drainQueue(int expected) throws Exception {
        return drainQueue(expected, Duration.ofSeconds(30));
    }

    private List<GetResponse> drainQueue(int expected, Duration within) throws Exception {
        List<GetResponse> got = new java.util.ArrayList<>();
        long deadline = System.nanoTime() + within.toNanos();
        while (got.size() < expected && System.nanoTime() < deadline) {
            GetResponse r = channel.basicGet(queue, true);
            if (r == null) {
                java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
            } else {
                got.add(r);
            }
        }
        return got;
    }

    @Test
    void everyMirroredBroadcastIsPublishedOnceWithTheKazooEnvelope() throws Exception {
        GatewayServer sender = ours.start(Transport.UDP, null);
        GatewayServer bridge = bridged(sender.config().dmq().serverAddress().toUriString());
        await("joined", Duration.ofSeconds(20), () -> sender.dmq().nodes().size() == 2);

        ConcurrentLinkedQueue<NodeReply> replies = new ConcurrentLinkedQueue<>();
        for (int i = 0; i < 500; i++) {
            String body = "{\"Event-Category\":\"presence\",\"Event-Name\":\"update\",\"n\":" + i + "}";
            sender.dmq().bcast("mychannel", body.getBytes(StandardCharsets.UTF_8), "application/json", null, 1, replies::add);
        }
        await("500 answers", Duration.ofSeconds(60), () -> replies.size() == 500);
        assertTrue(replies.stream().allMatch(r -> r.statusCode() == 200), "answered 200 after the broker confirmed");
        List<GetResponse> got = drainQueue(500);
        assertEquals(500, got.size());
        Set<String> ids = new HashSet<>();
        for (GetResponse r : got) {
            assertEquals("application/json", r.getProps().getContentType());
            assertEquals("presence.update", r.getEnvelope().getRoutingKey());
            JsonNode p = json.readTree(r.getBody());
            assertEquals("kdmq-gateway", p.get("App-Name").asText());
            assertTrue(p.get("Node").asText().startsWith("kdmq-gateway@"));
            ids.add(p.get("Msg-ID").asText());
            assertEquals(p.get("Msg-ID").asText(), r.getProps().getMessageId());
            assertEquals("mychannel", r.getProps().getHeaders().get("kdmq-channel").toString());
        }
        assertEquals(500, ids.size(), "distinct Msg-IDs");
        assertEquals(0, drainQueue(1, Duration.ofSeconds(1)).size(), "nothing more than once");
        String metrics = bridge.metrics().scrape();
        assertTrue(java.util.regex.Pattern.compile("(?m)^kdmq_bridge_confirmed_total 500(\\.0)?$").matcher(metrics).find(),
                metrics.lines().filter(l -> l.startsWith("kdmq_bridge")).toList().toString());
    }

    @Test
    void kamailioBroadcastsReachTheExchangeWrapped() throws Exception {
        org.junit.jupiter.api.Assertions.assertTrue(KamailioNode.isInstalled(), "needs Debian's kamailio (.ci/run installs it)");
        int port = OurNodes.freePort();
        try (KamailioNode k1 = KamailioNode.start("kb1", "127.0.0.1", port, "udp", "sip:127.0.0.1:" + port,
                Duration.ofSeconds(2))) {
            GatewayServer bridge = bridged(k1.serverAddress());
            await("joined", Duration.ofSeconds(20), () -> bridge.dmq().nodes().size() == 2);
            k1.sendMessage("alice", "v-alice");
            List<GetResponse> got = drainQueue(1);
            assertEquals(1, got.size());
            JsonNode p = json.readTree(got.get(0).getBody());
            assertEquals("dmq", p.get("Event-Category").asText());
            assertEquals("mychannel", p.get("Event-Name").asText());
            assertEquals("v-alice", p.get("Body").asText());
            assertEquals("text/plain", p.get("Content-Type").asText());
            assertEquals("sip:127.0.0.1:" + port, p.get("Sender").asText());
            assertEquals("dmq.mychannel", got.get(0).getEnvelope().getRoutingKey());
        }
    }

    @Test
    void noBrokerMeansNotReadyAndMirroredMessagesWaitInTheBuffer() throws Exception {
        int nobody = OurNodes.freePort();
        GatewayServer sender = ours.start(Transport.UDP, null);
        GatewayServer s = ours.start(Transport.UDP, sender.config().dmq().serverAddress().toUriString());
        org.kdmq.bridge.KazooBridgeTestAccess.start(s, List.of("amqp://guest:guest@127.0.0.1:" + nobody),
                List.of("mychannel=" + exchange + ":topic"));
        await("joined", Duration.ofSeconds(20), () -> sender.dmq().nodes().size() == 2);
        assertTrue(!s.readiness().ready(), "not ready without a broker");
        assertTrue(s.readiness().detail().toString().contains("amqp=failing"), s.readiness().detail().toString());
        java.util.concurrent.CompletableFuture<NodeReply> reply = sender.dmq().send("mychannel",
                s.config().dmq().serverAddress(), "{\"Event-Category\":\"x\",\"Event-Name\":\"y\"}".getBytes(),
                "application/json", 1);
        // Not answered 200 without a confirm: the sender's request is still pending (then times out), never acked.
        NodeReply r = reply.get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertTrue(r.statusCode() != 200, r.toString());
    }

    @Test
    void badBridgeFlagsExitWithCode2() {
        for (String[] args : new String[][] {
                {"--amqp-connection", "http://broker"},
                {"--amqp-connection", "amqp://guest:guest@127.0.0.1", "--mirror", "nochannel"},
                {"--amqp-connection", "amqp://guest:guest@127.0.0.1", "--mirror", "c=x:weird"},
                {"--amqp-connection", "zone=eu;amqp://guest:guest@127.0.0.1"}}) {
            StringWriter err = new StringWriter();
            int code = Main.execute(args, Map.of(), new PrintWriter(new StringWriter()), new PrintWriter(err, true));
            assertEquals(2, code, String.join(" ", args) + " -> " + err);
        }
        StringWriter envErr = new StringWriter();
        assertEquals(2, Main.execute(new String[0], Map.of("KDMQ_AMQP_CONNECTION", "http://nope"),
                new PrintWriter(new StringWriter()), new PrintWriter(envErr, true)), "bridge flags come from the environment too");
        assertTrue(envErr.toString().contains("http://nope"), envErr.toString());
        StringWriter out = new StringWriter();
        Main.execute(new String[] {"run", "--help"}, Map.of(), new PrintWriter(out, true), new PrintWriter(new StringWriter()));
        assertTrue(out.toString().contains("--amqp-connection") && out.toString().contains("--mirror"),
                "the bridge's flags are part of run --help");
    }
}

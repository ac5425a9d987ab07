package org.kdmq.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.kdmq.gateway.server.TestNodes.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.kdmq.gateway.api.DispatchMode;
import org.kdmq.gateway.api.DmqResponse;
import org.kdmq.gateway.api.NodeAddress;
import org.kdmq.gateway.cli.CliTestAccess;
import org.kdmq.gateway.dmq.DmqSettings;
import org.kdmq.gateway.transport.Transport;

/** The admin endpoint over HTTP: JSON-RPC methods and errors, health transitions, metrics, auth. */
class AdminEndpointTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    private final List<GatewayServer> servers = new ArrayList<>();

    @AfterEach
    void stop() {
        servers.forEach(GatewayServer::abort);
    }

    private GatewayServer start(String notify, String auth) throws Exception {
        int port = TestNodes.freePort();
        DmqSettings dmq = DmqSettings.builder(NodeAddress.of("127.0.0.1", port, Transport.UDP))
                .notificationAddresses(notify == null ? List.of() : List.of(notify))
                .pingInterval(Duration.ofSeconds(1)).build();
        GatewayServer s = GatewayServer.start(GatewayConfig.of(dmq)
                .withTimers(Duration.ofMillis(100), Duration.ofMillis(400), Duration.ofSeconds(1))
                .withIoThreads(1).withAdmin(new InetSocketAddress("127.0.0.1", 0), auth));
        servers.add(s);
        return s;
    }

    private static String base(GatewayServer s) {
        return "http://127.0.0.1:" + s.adminAddress().getPort();
    }

    private HttpResponse<String> get(GatewayServer s, String path, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base(s) + path));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode rpc(GatewayServer s, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base(s) + "/RPC"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return json.readTree(r.body());
    }

    @Test
    void jsonRpcMethodsAsKamailioShapesThem() throws Exception {
        GatewayServer a = start(null, null);
        GatewayServer b = start(TestNodes.uriOf(a), null);
        await("joined", WAIT, () -> a.dmq().nodes().size() == 2);
        b.dmq().registerChannel("app", DispatchMode.HANDLE, m -> CompletableFuture.completedFuture(
                DmqResponse.ok("pong", "text/plain")));

        JsonNode list = rpc(a, "{\"jsonrpc\":\"2.0\",\"method\":\"dmq.list_nodes\",\"id\":1}").get("result");
        assertEquals(2, list.size());
        JsonNode local = list.get(1);
        assertEquals("127.0.0.1", local.get("host").asText());
        assertTrue(local.get("port").isTextual(), "port is a string, as Kamailio's");
        assertEquals("*", local.get("proto").asText());
        assertEquals("127.0.0.1", local.get("resolved_ip").asText());
        assertEquals("active", local.get("status").asText());
        assertTrue(local.get("last_notification").isIntegralNumber());
        assertEquals(1, local.get("local").asInt());

        String bUri = TestNodes.uriOf(b);
        JsonNode sent = rpc(a, "{\"jsonrpc\":\"2.0\",\"method\":\"dmq.send\",\"params\":[\"app\",\"" + bUri
                + "\",\"ping\",\"text/plain\"],\"id\":2}").get("result");
        assertEquals(200, sent.get("code").asInt());
        assertEquals("pong", sent.get("body").asText());
        JsonNode named = rpc(a, "{\"jsonrpc\":\"2.0\",\"method\":\"dmq.bcast\",\"params\":{\"channel\":\"app\",\"body\":\"x\"},\"id\":3}");
        assertEquals(1, named.get("result").size());

        assertEquals(-32601, rpc(a, "{\"jsonrpc\":\"2.0\",\"method\":\"dmq.nope\",\"id\":4}").get("error").get("code").asInt());
        assertEquals(-32602, rpc(a, "{\"jsonrpc\":\"2.0\",\"method\":\"dmq.remove\",\"params\":[\"garbage uri\"],\"id\":5}")
                .get("error").get("code").asInt());
        assertEquals(500, rpc(a, "{\"jsonrpc\":\"2.0\",\"method\":\"dmq.remove\",\"params\":[\"sip:10.9.9.9:5060\"],\"id\":6}")
                .get("error").get("code").asInt());
        assertEquals("Ok. DMQ node removed.", rpc(a, "{\"jsonrpc\":\"2.0\",\"method\":\"dmq.remove\",\"params\":[\"" + bUri
                + "\"],\"id\":7}").get("result").asText());
        assertEquals(1, a.dmq().nodes().size());
        assertEquals("Ok. DMQ node added.", rpc(a, "{\"jsonrpc\":\"2.0\",\"method\":\"dmq.add\",\"params\":[\"sip:10.9.9.9:5060\"],\"id\":8}")
                .get("result").asText());
        assertEquals("Ok. DMQ node status changed.", rpc(a, "{\"jsonrpc\":\"2.0\",\"method\":\"dmq.change_status\","
                + "\"params\":[\"sip:10.9.9.9:5060\",\"disabled\"],\"id\":9}").get("result").asText());
        assertEquals(-32700, rpc(a, "{oops").get("error").get("code").asInt());

        // The CLI's client commands read the same endpoint.
        CliTestAccess.Result cli = CliTestAccess.run("nodes", "--admin", base(a));
        assertEquals(0, cli.code(), cli.err());
        assertTrue(cli.out().contains("10.9.9.9:5060") && cli.out().contains("disabled"), cli.out());
    }

    @Test
    void readinessFollowsTheClusterAndMetricsFollowTraffic() throws Exception {
        int seedPort = TestNodes.freePort();
        GatewayServer joiner = start("sip:127.0.0.1:" + seedPort, null);
        assertEquals(200, get(joiner, "/health/live", null).statusCode());
        HttpResponse<String> notReady = get(joiner, "/health/ready", null);
        assertEquals(503, notReady.statusCode(), notReady.body());
        assertTrue(notReady.body().contains("\"cluster\":\"failing"), notReady.body());

        DmqSettings seedSettings = DmqSettings.builder(NodeAddress.of("127.0.0.1", seedPort, Transport.UDP))
                .pingInterval(Duration.ofSeconds(1)).build();
        GatewayServer seed = GatewayServer.start(GatewayConfig.of(seedSettings).withIoThreads(1));
        servers.add(seed);
        await("ready once the seed answers", WAIT, () -> {
            try {
                return get(joiner, "/health/ready", null).statusCode() == 200;
            } catch (Exception e) {
                return false;
            }
        });

        seed.dmq().registerChannel("app", DispatchMode.HANDLE, m -> CompletableFuture.completedFuture(DmqResponse.ok()));
        for (int i = 0; i < 3; i++) {
            joiner.dmq().send("app", seedSettings.serverAddress(), new byte[0], "text/plain", 1).join();
        }
        String metrics = get(joiner, "/metrics", null).body();
        assertEquals(3.0, value(metrics, "kdmq_requests_sent_total\\{channel=\"app\"\\}"), metrics);
        assertEquals(1.0, value(metrics, "kdmq_nodes\\{status=\"active\"\\}"));
        assertTrue(value(metrics, "kdmq_sip_messages_received_total") >= 3);
        assertTrue(metrics.contains("jvm_memory_used_bytes"));
        String seedMetrics = seed.metrics().scrape();
        assertEquals(3.0, value(seedMetrics, "kdmq_requests_received_total\\{channel=\"app\"\\}"), seedMetrics);
    }

    @Test
    void basicAuthProtectsTheEndpoint() throws Exception {
        GatewayServer s = start(null, "ops:s3cret");
        assertEquals(401, get(s, "/health/live", null).statusCode());
        assertEquals(401, get(s, "/metrics", "Basic " + Base64.getEncoder().encodeToString("ops:wrong".getBytes())).statusCode());
        assertEquals(200, get(s, "/health/live", "Basic " + Base64.getEncoder().encodeToString("ops:s3cret".getBytes()))
                .statusCode());
    }

    @Test
    void bearerTokenProtectsTheEndpoint() throws Exception {
        GatewayServer s = start(null, "Bearer t0ken");
        assertEquals(401, get(s, "/health/live", "Bearer wrong").statusCode());
        assertEquals(200, get(s, "/health/live", "Bearer t0ken").statusCode());
        HttpResponse<String> rpc = http.send(HttpRequest.newBuilder(URI.create(base(s) + "/RPC"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"method\":\"core.version\",\"id\":1}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, rpc.statusCode(), "RPC is protected too");
    }

    private static double value(String metrics, String series) {
        Matcher m = Pattern.compile("(?m)^" + series + " ([0-9.eE+-]+)$").matcher(metrics);
        if (!m.find()) {
            throw new AssertionError("no series " + series);
        }
        return Double.parseDouble(m.group(1));
    }
}

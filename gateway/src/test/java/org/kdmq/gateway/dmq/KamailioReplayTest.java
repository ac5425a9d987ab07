package org.kdmq.gateway.dmq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.kdmq.gateway.dmq.MembershipTest.address;
import static org.kdmq.gateway.dmq.MembershipTest.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.kdmq.gateway.api.DispatchMode;
import org.kdmq.gateway.api.DmqResponse;
import org.kdmq.gateway.api.NodeStatus;
import org.kdmq.gateway.sip.codec.SipParser;
import org.kdmq.gateway.sip.message.SipMessage;
import org.kdmq.gateway.sip.message.SipRequest;
import org.kdmq.gateway.sip.message.SipResponse;
import org.kdmq.gateway.transport.Transport;

/**
 * Replays recorded Kamailio 5.6.3 traffic (src/test/resources/fixtures/dmq) at our node: it must
 * answer each request as Kamailio did, or with a 4xx and a reason where Kamailio stays silent, and
 * stay a working member afterwards (where Kamailio 5.6.3 deadlocks).
 */
class KamailioReplayTest {
    private static final InetSocketAddress STRANGER = new InetSocketAddress("127.0.0.1", 42212);
    private final InMemorySipNetwork network = new InMemorySipNetwork();
    private InMemorySipNetwork.Endpoint k1Endpoint;
    private KdmqNode k1;

    @BeforeEach
    void startNodeAt5290() {
        k1Endpoint = network.endpoint(new InetSocketAddress("127.0.0.1", 5290));
        k1 = start(5290, k1Endpoint);
        ObjectMapper json = new ObjectMapper();
        // Stands in for Kamailio's htable module: a JSON body, applied or refused.
        k1.registerChannel("htable", DispatchMode.HANDLE, m -> {
            try {
                json.readTree(m.body());
                return CompletableFuture.completedFuture(DmqResponse.ok());
            } catch (IOException e) {
                return CompletableFuture.completedFuture(DmqResponse.error(400, "Invalid JSON body"));
            }
        });
        k1.registerChannel("mychannel", DispatchMode.HANDLE, m -> CompletableFuture.completedFuture(DmqResponse.ok("x", "text/plain")));
    }

    @AfterEach
    void tearDown() {
        network.close();
    }

    private KdmqNode start(int port, InMemorySipNetwork.Endpoint endpoint) {
        DmqSettings settings = DmqSettings.builder(address(port))
                .notificationAddresses(List.of("sip:127.0.0.1:5290"))
                .pingInterval(Duration.ofHours(1))
                .build();
        return network.start(settings, endpoint);
    }

    static byte[] fixture(String scenario, String file) throws IOException {
        try (InputStream in = KamailioReplayTest.class.getResourceAsStream("/fixtures/dmq/" + scenario + "/" + file)) {
            if (in == null) {
                throw new IOException("missing fixture " + scenario + "/" + file);
            }
            return in.readAllBytes();
        }
    }

    static SipRequest request(String scenario, String file) throws Exception {
        SipMessage m = SipParser.parse(fixture(scenario, file));
        return (SipRequest) m;
    }

    private SipResponse replay(String scenario, String file) throws Exception {
        return k1Endpoint.inject(request(scenario, file), STRANGER, Transport.UDP).orTimeout(10, TimeUnit.SECONDS).join();
    }

    @Test
    void strangersRequestsGetKamailiosAnswersOrAReason() throws Exception {
        String s = "stranger-requests-and-deadlock";
        SipResponse unknown = replay(s, "28-kdmq.sip");
        assertEquals(404, unknown.statusCode());
        assertEquals("User Not Found", unknown.reasonPhrase());

        SipResponse empty = replay(s, "35-kdmq.sip");
        assertEquals(200, empty.statusCode());
        assertEquals("sip:127.0.0.1:5290;status=active\r\n", empty.bodyAsString());
        assertEquals("text/plain", empty.contentType().orElseThrow());

        SipResponse malformed = replay(s, "37-kdmq.sip");
        assertEquals(400, malformed.statusCode());
        assertTrue(malformed.reasonPhrase().startsWith("Malformed node list: line 1"), malformed.reasonPhrase());

        SipResponse badJson = replay(s, "38-kdmq.sip");
        assertEquals(400, badJson.statusCode());

        SipResponse set = replay(s, "39-kdmq.sip");
        assertEquals(200, set.statusCode());
        assertEquals(0, set.bodyLength(), "a reply to a Kamailio request carries no body");

        SipResponse hops = replay(s, "41-kdmq.sip");
        assertEquals(483, hops.statusCode());
    }

    @Test
    void afterTheDeadlockPacketJoinsPingsAndFailureDetectionStillWork() throws Exception {
        assertEquals(400, replay("stranger-requests-and-deadlock", "37-kdmq.sip").statusCode());

        KdmqNode k2 = start(5291, network.endpoint(new InetSocketAddress("127.0.0.1", 5291)));
        await("k2 joined k1", () -> k1.nodes().size() == 2 && k2.nodes().size() == 2);
        KdmqNode k4 = start(5293, network.endpoint(new InetSocketAddress("127.0.0.1", 5293)));
        await("k4 joined", () -> k1.nodes().size() == 3 && k4.nodes().size() == 3 && k2.nodes().size() == 3);

        MembershipTest.awaitQuiet(network.nodes());
        network.takeDown(new InetSocketAddress("127.0.0.1", 5291));
        MembershipTest.pingRound(List.of(k1, k4));
        assertTrue(k1.nodes().stream().anyMatch(n -> n.address().equals(address(5291)) && n.status() == NodeStatus.DISABLED));
        MembershipTest.pingRound(List.of(k1, k4));
        assertEquals(2, k1.nodes().size(), "k2 removed on k1");
    }

    @Test
    void onlyKnownNodesMayTalkWhenSecured() throws Exception {
        InMemorySipNetwork.Endpoint endpoint = network.endpoint(new InetSocketAddress("127.0.0.1", 6000));
        DmqSettings secured = DmqSettings.builder(address(6000)).notificationAddresses(List.of("sip:10.1.1.1:5060"))
                .pingInterval(Duration.ofHours(1)).onlyFromKnownNodes(true).build();
        KdmqNode node = network.start(secured, endpoint);
        // The join (on a worker) resolves the notification address, then asks it: only then is it known.
        await("join sent", () -> node.stats().sentByChannel().getOrDefault(secured.notificationChannel(), 0L) > 0);
        SipRequest set = request("stranger-requests-and-deadlock", "39-kdmq.sip");
        SipResponse stranger = endpoint.inject(set, new InetSocketAddress("192.0.2.66", 40000), Transport.UDP)
                .orTimeout(10, TimeUnit.SECONDS).join();
        assertEquals(403, stranger.statusCode());
        SipResponse seed = endpoint.inject(set, new InetSocketAddress("10.1.1.1", 5060), Transport.UDP)
                .orTimeout(10, TimeUnit.SECONDS).join();
        assertEquals(404, seed.statusCode(), "the notification address is let through (no htable channel here)");
    }

    @Test
    void aListLongerThanMaxNodesIs503() throws Exception {
        InMemorySipNetwork.Endpoint endpoint = network.endpoint(new InetSocketAddress("127.0.0.1", 6001));
        KdmqNode small = network.start(DmqSettings.builder(address(6001)).pingInterval(Duration.ofHours(1)).maxNodes(3).build(),
                endpoint);
        StringBuilder body = new StringBuilder();
        for (int i = 1; i <= 5; i++) {
            body.append("sip:10.0.0.").append(i).append(":5060;status=active\r\n");
        }
        SipRequest big = request("stranger-requests-and-deadlock", "35-kdmq.sip").toBuilder().body(body.toString()).build();
        SipResponse r = endpoint.inject(big, STRANGER, Transport.UDP).orTimeout(10, TimeUnit.SECONDS).join();
        assertEquals(503, r.statusCode());
        assertEquals(1, small.nodes().size());
    }

    @Test
    void kamailioChannelRequestsGet200WithoutBody() throws Exception {
        // htable replication and dmq_bcast_message("mychannel") as Kamailio 5.6.3 sent them.
        for (String file : List.of("01-kdmq.sip", "02-kdmq.sip")) {
            SipRequest request = request("htable-set-and-bcast", file);
            assertFalse(KdmqMessages.acceptsReplyBody(request));
            SipResponse r = k1Endpoint.inject(request, new InetSocketAddress("127.0.0.1", 5260), Transport.UDP)
                    .orTimeout(10, TimeUnit.SECONDS).join();
            assertEquals(200, r.statusCode(), file);
            assertEquals(0, r.bodyLength(), "Kamailio 5.6 would parse a body as a node list: " + file);
            assertEquals(r.callId(), request.callId());
        }
    }

    @Test
    void kamailioNotificationsFromThreeNodesAreMergedWithoutDuplicates() throws Exception {
        // k1 lists itself twice (its notification address is itself); we list every node once.
        SipRequest ping = request("three-nodes-udp", "14-kdmq.sip");
        SipResponse r = k1Endpoint.inject(ping, new InetSocketAddress("127.0.0.1", 5299), Transport.UDP)
                .orTimeout(10, TimeUnit.SECONDS).join();
        assertEquals(200, r.statusCode());
        assertEquals(3, k1.nodes().size());
        String body = r.bodyAsString();
        assertEquals(3, body.split("\r\n").length, body);
        assertTrue(body.endsWith("\r\n"));
    }

    @Test
    void everyRecordedNodeListParses() throws Exception {
        // UDP recordings: one whole message per file (TCP segments are covered by the codec's stream tests).
        int lists = 0;
        for (String scenario : List.of("three-nodes-udp", "stranger-requests-and-deadlock", "htable-set-and-bcast")) {
            String index = new String(fixture(scenario, "INDEX.txt"), StandardCharsets.UTF_8);
            for (String line : index.split("\n")) {
                String file = line.split("\t")[0];
                boolean theMalformedOne = scenario.startsWith("stranger") && file.equals("37-kdmq.sip");
                if (!file.endsWith(".sip") || theMalformedOne || !line.contains("\tudp\t") && !scenario.startsWith("htable")) {
                    continue;
                }
                SipMessage m = SipParser.parse(fixture(scenario, file));
                boolean notification = m.isRequest()
                        ? ((SipRequest) m).requestUriText().startsWith("sip:notification_peer@")
                        : m.headers().first("To").orElse("").contains("notification_peer@");
                if (notification && m.bodyLength() > 0) {
                    assertFalse(NodeListBody.parse(m.body(), 1000).isEmpty(), scenario + "/" + file);
                    lists++;
                }
            }
        }
        assertTrue(lists > 50, "node lists found: " + lists);
    }
}

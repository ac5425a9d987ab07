package org.kdmq.it.kamailio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.kdmq.it.OurNodes.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.kdmq.gateway.api.DispatchMode;
import org.kdmq.gateway.api.DmqMessage;
import org.kdmq.gateway.api.DmqResponse;
import org.kdmq.gateway.api.NodeAddress;
import org.kdmq.gateway.api.NodeInfo;
import org.kdmq.gateway.api.NodeReply;
import org.kdmq.gateway.api.NodeStatus;
import org.kdmq.gateway.server.GatewayServer;
import org.kdmq.gateway.transport.Transport;
import org.kdmq.it.OurNodes;

/**
 * Our node and real Kamailio 5.6 nodes (Debian's package) in one DMQ cluster, both ways: joins, node
 * lists compared through kamcmd, channel messages and htable replication in both directions, replies
 * without bodies (a body would lock up Kamailio 5.6.3), and failure detection of either side.
 */
class KamailioInteropTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private final OurNodes ours = new OurNodes();
    private final List<KamailioNode> kamailios = new java.util.ArrayList<>();

    @BeforeAll
    static void kamailioIsInstalled() {
        assertTrue(KamailioNode.isInstalled(), "these tests need Debian's kamailio package (.ci/run installs it)");
    }

    @AfterEach
    void stop() {
        kamailios.forEach(KamailioNode::kill);
        ours.close();
    }

    private KamailioNode kamailio(String name, String transport, String notify) throws IOException {
        int port = OurNodes.freePort();
        String self = "sip:127.0.0.1:" + port + ("udp".equals(transport) ? "" : ";transport=" + transport);
        KamailioNode k = KamailioNode.start(name, "127.0.0.1", port, transport, notify == null ? self : notify,
                Duration.ofSeconds(2));
        kamailios.add(k);
        return k;
    }

    private static String uri(GatewayServer s) {
        return s.config().dmq().serverAddress().toUriString();
    }

    private static List<Map<String, String>> kamailioList(KamailioNode k) {
        try {
            return k.listNodes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Kamailio lists a node (not itself) with that port and status. */
    private static boolean kamailioSees(KamailioNode k, int port, String status) {
        return kamailioList(k).stream().anyMatch(n -> n.get("local").equals("0")
                && n.get("port").equals(Integer.toString(port)) && n.get("status").equals(status));
    }

    private static boolean kamailioLacks(KamailioNode k, int port) {
        return kamailioList(k).stream().noneMatch(n -> n.get("port").equals(Integer.toString(port)));
    }

    private static boolean weSee(GatewayServer s, KamailioNode k, NodeStatus status) {
        return s.dmq().nodes().stream().anyMatch(n -> !n.local() && n.address().port() == k.port() && n.status() == status);
    }

    private static int portOf(GatewayServer s) {
        return s.config().dmq().serverAddress().port();
    }

    @Test
    void ourNodeJoinsAKamailioClusterAndTheListsAgree() throws Exception {
        KamailioNode k1 = kamailio("k1", "udp", null);
        GatewayServer us = ours.start(Transport.UDP, k1.serverAddress());
        KamailioNode k2 = kamailio("k2", "udp", k1.serverAddress());
        await("k1, k2 and we all see each other", WAIT, () -> kamailioSees(k1, portOf(us), "active")
                && kamailioSees(k2, portOf(us), "active") && weSee(us, k1, NodeStatus.ACTIVE) && weSee(us, k2, NodeStatus.ACTIVE));
        // Each node once in our list, however many times Kamailio lists itself.
        assertEquals(3, us.dmq().nodes().size());
        assertEquals(3, us.dmq().nodes().stream().map(NodeInfo::address).distinct().count());
    }

    @Test
    void kamailioJoinsThroughOurNode() throws Exception {
        GatewayServer us = ours.start(Transport.UDP, null);
        KamailioNode k1 = kamailio("k1", "udp", uri(us));
        KamailioNode k2 = kamailio("k2", "udp", uri(us));
        await("everyone sees everyone", WAIT, () -> weSee(us, k1, NodeStatus.ACTIVE) && weSee(us, k2, NodeStatus.ACTIVE)
                && kamailioSees(k1, portOf(us), "active") && kamailioSees(k1, k2.port(), "active")
                && kamailioSees(k2, k1.port(), "active"));
    }

    @Test
    void kamailioBroadcastsReachOurHandlersAndItKeepsWorkingAfterOurReplies() throws Exception {
        KamailioNode k1 = kamailio("k1", "udp", null);
        GatewayServer us = ours.start(Transport.UDP, k1.serverAddress());
        ConcurrentLinkedQueue<DmqMessage> mychannel = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<DmqMessage> htable = new ConcurrentLinkedQueue<>();
        // Our handlers answer with bodies; Kamailio must get none (it would read them as node lists).
        us.dmq().registerChannel("mychannel", DispatchMode.HANDLE, m -> {
            mychannel.add(m);
            return CompletableFuture.completedFuture(DmqResponse.ok("not for kamailio", "text/plain"));
        });
        us.dmq().registerChannel("htable", DispatchMode.HANDLE, m -> {
            htable.add(m);
            return CompletableFuture.completedFuture(DmqResponse.ok("{\"x\":1}", "application/json"));
        });
        await("joined", WAIT, () -> kamailioSees(k1, portOf(us), "active"));

        k1.sendMessage("alice", "v-alice");
        await("our handlers got Kamailio's broadcasts", WAIT, () -> !mychannel.isEmpty() && !htable.isEmpty());
        DmqMessage bcast = mychannel.peek();
        assertEquals("v-alice", bcast.bodyAsString());
        assertEquals("text/plain", bcast.contentType());
        assertEquals(k1.port(), bcast.sender().address().port());
        DmqMessage replication = htable.peek();
        assertEquals("application/json", replication.contentType());
        assertTrue(replication.bodyAsString().contains("\"cname\":\"alice\""), replication.bodyAsString());
        assertTrue(replication.bodyAsString().contains("\"strval\":\"v-alice\""), replication.bodyAsString());

        // Kamailio 5.6.3 locks its node list on a reply body that is not a list; prove it did not:
        // a new Kamailio node can still join through k1.
        KamailioNode k2 = kamailio("k2", "udp", k1.serverAddress());
        await("k2 joined through k1 after our replies", WAIT, () -> kamailioSees(k2, k1.port(), "active")
                && kamailioSees(k1, k2.port(), "active") && weSee(us, k2, NodeStatus.ACTIVE));
    }

    @Test
    void ourBroadcastsReachKamailioAndHtableAppliesThem() throws Exception {
        KamailioNode k1 = kamailio("k1", "udp", null);
        GatewayServer us = ours.start(Transport.UDP, k1.serverAddress());
        await("joined", WAIT, () -> weSee(us, k1, NodeStatus.ACTIVE) && kamailioSees(k1, portOf(us), "active"));

        ConcurrentLinkedQueue<NodeReply> replies = new ConcurrentLinkedQueue<>();
        us.dmq().bcast("mychannel", "from-java".getBytes(StandardCharsets.UTF_8), "text/plain", null, 1, replies::add);
        await("mychannel answered", WAIT, () -> replies.size() == 1);
        assertEquals(200, replies.peek().statusCode());
        assertEquals("from-java", k1.htableGet("rx", "last"));
        assertEquals("text/plain", k1.htableGet("rx", "last_ct"));

        String set = "{\"action\":2,\"htname\":\"t\",\"cname\":\"bob\",\"type\":2,\"strval\":\"v-bob\",\"mode\":1}";
        NodeReply applied = us.dmq().send("htable", NodeAddress.parse(k1.serverAddress()),
                set.getBytes(StandardCharsets.UTF_8), "application/json", 1).get(10, TimeUnit.SECONDS);
        assertEquals(200, applied.statusCode());
        await("htable applied our set", WAIT, () -> {
            try {
                return "v-bob".equals(k1.htableGet("t", "bob"));
            } catch (IOException e) {
                return false;
            }
        });
    }

    @Test
    void tcpClusterWithKamailio() throws Exception {
        KamailioNode k1 = kamailio("k1", "tcp", null);
        GatewayServer us = ours.start(Transport.TCP, k1.serverAddress());
        ConcurrentLinkedQueue<DmqMessage> mychannel = new ConcurrentLinkedQueue<>();
        us.dmq().registerChannel("mychannel", DispatchMode.HANDLE, m -> {
            mychannel.add(m);
            return CompletableFuture.completedFuture(DmqResponse.ok());
        });
        await("joined over TCP", WAIT, () -> weSee(us, k1, NodeStatus.ACTIVE) && kamailioSees(k1, portOf(us), "active"));
        assertTrue(kamailioList(k1).stream().anyMatch(n -> n.get("port").equals(Integer.toString(portOf(us)))
                && n.get("proto").equals("tcp")));
        k1.sendMessage("carol", "v-carol");
        await("Kamailio's TCP broadcast reached us", WAIT, () -> !mychannel.isEmpty());
        assertEquals(Transport.TCP, mychannel.peek().transport());
        ConcurrentLinkedQueue<NodeReply> replies = new ConcurrentLinkedQueue<>();
        us.dmq().bcast("mychannel", "tcp-from-java".getBytes(StandardCharsets.UTF_8), "text/plain", null, 1, replies::add);
        await("answered", WAIT, () -> replies.size() == 1);
        assertEquals(200, replies.peek().statusCode());
        assertEquals("tcp-from-java", k1.htableGet("rx", "last"));
    }

    @Test
    void killedKamailioIsRemovedByUsAndRejoinsWhenRestarted() throws Exception {
        GatewayServer us = ours.start(Transport.UDP, null);
        KamailioNode k1 = kamailio("k1", "udp", uri(us));
        await("joined", WAIT, () -> weSee(us, k1, NodeStatus.ACTIVE));
        k1.kill();
        await("k1 removed from our list", WAIT, () -> us.dmq().nodes().size() == 1);
        k1.restart();
        await("k1 back", WAIT, () -> weSee(us, k1, NodeStatus.ACTIVE) && kamailioSees(k1, portOf(us), "active"));
    }

    @Test
    void killedOursIsDisabledThenRemovedByKamailioAndComesBack() throws Exception {
        KamailioNode k1 = kamailio("k1", "udp", null);
        GatewayServer us = ours.start(Transport.UDP, k1.serverAddress());
        int port = portOf(us);
        await("joined", WAIT, () -> kamailioSees(k1, port, "active"));
        us.abort();
        // Kamailio 5.6 pings every 60 s (its minimum) with fr_timer 2 s here: disabled after one
        // unanswered ping, removed after the next.
        Duration kamailioRounds = Duration.ofSeconds(150);
        await("Kamailio marks us disabled", kamailioRounds, () -> kamailioSees(k1, port, "disabled") || kamailioLacks(k1, port));
        await("Kamailio removes us", kamailioRounds, () -> kamailioLacks(k1, port));
        GatewayServer back = ours.startAt(port, Transport.UDP, k1.serverAddress());
        await("we are back in Kamailio's list", WAIT, () -> kamailioSees(k1, port, "active") && weSee(back, k1, NodeStatus.ACTIVE));
    }
}

package org.kdmq.gateway.dmq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.kdmq.gateway.api.NodeAddress;
import org.kdmq.gateway.api.NodeInfo;
import org.kdmq.gateway.api.NodeStatus;
import org.kdmq.gateway.transport.Transport;

/** Membership rules on an in-memory network: joins, list agreement, death, return, leave, scale. */
class MembershipTest {
    private final InMemorySipNetwork network = new InMemorySipNetwork();

    @AfterEach
    void tearDown() {
        network.close();
    }

    static NodeAddress address(int port) {
        return NodeAddress.of("127.0.0.1", port, Transport.UDP);
    }

    KdmqNode start(int port, Integer notifyPort) {
        return start(port, notifyPort, MembershipPolicy.KAMAILIO_DEFAULTS);
    }

    KdmqNode start(int port, Integer notifyPort, MembershipPolicy policy) {
        DmqSettings settings = DmqSettings.builder(address(port))
                .notificationAddresses(notifyPort == null ? List.of() : List.of("sip:127.0.0.1:" + notifyPort))
                .pingInterval(Duration.ofHours(1)) // pings are driven by the tests
                .policy(policy)
                .build();
        return network.start(settings);
    }

    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
    }

    static Set<String> view(KdmqNode node) {
        return node.nodes().stream().map(n -> n.address() + "=" + n.status().wireName() + (n.local() ? "*" : ""))
                .collect(Collectors.toSet());
    }

    static NodeStatus statusOf(KdmqNode node, int port) {
        return node.nodes().stream().filter(n -> n.address().equals(address(port)) && !n.local()).map(NodeInfo::status)
                .findFirst().orElse(null);
    }

    static void ping(KdmqNode node) {
        node.pingNow().join();
    }

    /** Waits until no node has a request in flight or an answer still to apply. */
    static void awaitQuiet(List<KdmqNode> cluster) {
        await("cluster quiet", () -> cluster.stream().allMatch(n -> n.pendingRequests() == 0));
    }

    /** One ping round on every given node, then quiet. */
    static void pingRound(List<KdmqNode> live) {
        live.forEach(MembershipTest::ping);
        awaitQuiet(live);
    }

    @Test
    void threeNodesJoinThroughTheFirstAndAgree() {
        KdmqNode n1 = start(5290, 5290);
        KdmqNode n2 = start(5291, 5290);
        await("n2 in n1's list", () -> n1.nodes().size() == 2 && n2.nodes().size() == 2);
        KdmqNode n3 = start(5292, 5290);
        await("everyone knows everyone", () -> n1.nodes().size() == 3 && n2.nodes().size() == 3 && n3.nodes().size() == 3);
        assertEquals(Set.of("sip:127.0.0.1:5290=active*", "sip:127.0.0.1:5291=active", "sip:127.0.0.1:5292=active"),
                view(n1));
        assertEquals(Set.of("sip:127.0.0.1:5290=active", "sip:127.0.0.1:5291=active*", "sip:127.0.0.1:5292=active"),
                view(n2));
        // Nobody lists itself twice, even the seed whose notification address is itself.
        for (KdmqNode n : List.of(n1, n2, n3)) {
            assertEquals(1, n.nodes().stream().filter(NodeInfo::local).count());
            assertEquals(3, n.nodes().stream().map(NodeInfo::address).distinct().count());
        }
    }

    @Test
    void deadNodeIsDisabledThenRemovedAndSeedIsOnlyMarked() {
        KdmqNode n1 = start(5290, 5290);
        KdmqNode n2 = start(5291, 5290);
        KdmqNode n3 = start(5292, 5290);
        await("joined", () -> n1.nodes().size() == 3 && n2.nodes().size() == 3 && n3.nodes().size() == 3);
        awaitQuiet(network.nodes());

        network.takeDown(new InetSocketAddress("127.0.0.1", 5292));
        pingRound(List.of(n1, n2));
        assertEquals(NodeStatus.DISABLED, statusOf(n1, 5292));
        assertEquals(NodeStatus.DISABLED, statusOf(n2, 5292));
        pingRound(List.of(n1, n2));
        assertEquals(null, statusOf(n1, 5292));
        assertEquals(null, statusOf(n2, 5292));

        network.takeDown(new InetSocketAddress("127.0.0.1", 5290));
        for (int i = 0; i < 3; i++) {
            pingRound(List.of(n2));
        }
        assertEquals(NodeStatus.NOT_ACTIVE, statusOf(n2, 5290));
        assertTrue(n2.nodes().stream().anyMatch(n -> n.address().equals(address(5290))), "seed is never deleted");

        network.bringUp(new InetSocketAddress("127.0.0.1", 5290));
        pingRound(List.of(n2));
        assertEquals(NodeStatus.ACTIVE, statusOf(n2, 5290));
    }

    @Test
    void nodeThatComesBackRejoins() {
        KdmqNode n1 = start(5290, 5290);
        KdmqNode n2 = start(5291, 5290);
        await("joined", () -> n1.nodes().size() == 2);
        awaitQuiet(network.nodes());
        n2.shutdown(Duration.ofSeconds(2));
        network.nodes().remove(n2); // down for good: no longer waited on, nor shut down again
        awaitQuiet(network.nodes());
        assertEquals(NodeStatus.DISABLED, statusOf(n1, 5291), "a leaving node says so");
        pingRound(List.of(n1));
        assertEquals(null, statusOf(n1, 5291));

        KdmqNode again = start(5291, 5290);
        await("n2 back", () -> statusOf(n1, 5291) == NodeStatus.ACTIVE && again.nodes().size() == 2);
    }

    @Test
    void failCountThresholdsDelayStatusChanges() {
        MembershipPolicy policy = new MembershipPolicy(true, true, 1, 2);
        KdmqNode n1 = start(5290, 5290, policy);
        KdmqNode n2 = start(5291, 5290, policy);
        await("joined", () -> n1.nodes().size() == 2 && n2.nodes().size() == 2);
        awaitQuiet(network.nodes());
        network.takeDown(new InetSocketAddress("127.0.0.1", 5291));
        List<KdmqNode> live = List.of(n1);
        pingRound(live);
        assertEquals(1, n1.nodeList().find(address(5291), false).orElseThrow().failCount());
        assertEquals(NodeStatus.ACTIVE, statusOf(n1, 5291));
        pingRound(live);
        assertEquals(NodeStatus.NOT_ACTIVE, statusOf(n1, 5291));
        pingRound(live);
        assertEquals(NodeStatus.DISABLED, statusOf(n1, 5291));
        pingRound(live);
        assertEquals(null, statusOf(n1, 5291));
    }

    @Test
    void partitionSplitsTheClusterAndHealingMergesIt() {
        List<KdmqNode> all = new ArrayList<>();
        for (int port = 5290; port < 5294; port++) {
            all.add(start(port, 5290));
        }
        await("joined", () -> all.stream().allMatch(n -> n.nodes().size() == 4));
        awaitQuiet(all);
        List<InetSocketAddress> left = List.of(new InetSocketAddress("127.0.0.1", 5290), new InetSocketAddress("127.0.0.1", 5291));
        List<InetSocketAddress> right = List.of(new InetSocketAddress("127.0.0.1", 5292), new InetSocketAddress("127.0.0.1", 5293));
        network.partition(left, right);
        pingRound(all);
        pingRound(all);
        KdmqNode n1 = all.get(0);
        KdmqNode n3 = all.get(2);
        assertEquals(2, n1.nodes().size(), "the left side dropped the right side");
        // The right side never deletes its seed. (Its status may read active again: a peer's list taken
        // before that peer saw its own timeout says so, and Kamailio's merge rule takes it.)
        assertTrue(statusOf(n3, 5290) != null, "the right side keeps its seed");
        assertEquals(null, statusOf(n3, 5291));

        network.heal();
        for (int round = 0; round < 3; round++) {
            pingRound(all);
        }
        for (KdmqNode n : all) {
            assertEquals(4, n.nodes().size(), "after healing: " + view(n));
            assertTrue(n.nodes().stream().allMatch(NodeInfo::isActive), "after healing: " + view(n));
        }
    }

    @Test
    void twoHundredNodesJoinAndAgree() {
        int count = 200;
        List<KdmqNode> cluster = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            cluster.add(start(20000 + i, 20000));
        }
        awaitQuiet(cluster);
        // One ping round lets every node hear the full list from the others.
        pingRound(cluster);
        await("all 200 lists complete", () -> cluster.stream().allMatch(n -> n.nodes().size() == count));
        for (KdmqNode n : cluster) {
            assertTrue(n.nodes().stream().allMatch(NodeInfo::isActive));
            assertEquals(1, n.nodes().stream().filter(NodeInfo::local).count());
        }
        assertFalse(cluster.get(0).nodes().isEmpty());
    }
}

package org.kdmq.gateway.dmq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.kdmq.gateway.api.NodeAddress;
import org.kdmq.gateway.api.NodeInfo;
import org.kdmq.gateway.api.NodeStatus;
import org.kdmq.gateway.transport.Transport;

class NodeListTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final NodeAddress SELF = NodeAddress.of("127.0.0.1", 5290, Transport.UDP);
    private static final NodeAddress SEED = NodeAddress.of("127.0.0.1", 5291, Transport.UDP);
    private static final NodeAddress OTHER = NodeAddress.of("127.0.0.1", 5292, Transport.UDP);

    private static NodeList list(MembershipPolicy policy) {
        return new NodeList(SELF, LOOPBACK, policy, 1000);
    }

    private static List<NodeListBody.Line> lines(NodeAddress... nodes) {
        return java.util.Arrays.stream(nodes).map(n -> new NodeListBody.Line(n, NodeStatus.ACTIVE)).toList();
    }

    private static NodeStatus status(NodeList list, NodeAddress node) {
        return list.find(node, false).map(NodeInfo::status).orElse(null);
    }

    @Test
    void notificationAddressEqualToSelfIsNotListedTwice() {
        NodeList list = list(MembershipPolicy.KAMAILIO_DEFAULTS);
        assertFalse(list.addNotificationAddress(SELF, LOOPBACK));
        assertEquals(1, list.size());
        assertTrue(list.isAlone());
    }

    @Test
    void mergeAddsUnknownNodesOnceAndCountsChanges() {
        NodeList list = list(MembershipPolicy.KAMAILIO_DEFAULTS);
        // A Kamailio seed's list names the seed twice and us once.
        int changed = list.merge(lines(OTHER, SEED, SEED, SELF), a -> LOOPBACK, SEED, 100);
        assertEquals(2, changed);
        assertEquals(3, list.size());
        assertEquals(0, list.merge(lines(OTHER, SEED, SELF), a -> LOOPBACK, SEED, 101));
        assertEquals(101, list.find(SEED, false).orElseThrow().lastNotification());
        // Each new node goes first (Kamailio's order), local last, each listed once.
        assertEquals(List.of(SEED, OTHER, SELF), list.notificationLines().stream().map(NodeListBody.Line::address).toList());
    }

    @Test
    void kamailioDefaultsDisableThenDeleteAndKeepNotificationAddresses() {
        NodeList list = list(MembershipPolicy.KAMAILIO_DEFAULTS);
        list.addNotificationAddress(SEED, LOOPBACK);
        list.merge(lines(OTHER), a -> LOOPBACK, null, 0);

        list.onTimeout(OTHER);
        assertEquals(NodeStatus.DISABLED, status(list, OTHER));
        list.onTimeout(OTHER);
        assertEquals(Optional.empty(), list.find(OTHER, false));

        list.onTimeout(SEED);
        list.onTimeout(SEED);
        list.onTimeout(SEED);
        assertEquals(NodeStatus.NOT_ACTIVE, status(list, SEED));
        list.onAnswered(SEED);
        assertEquals(NodeStatus.ACTIVE, status(list, SEED));
    }

    @Test
    void disabledNodeIsNotReactivatedByAListButByItsOwnAnswer() {
        NodeList list = list(MembershipPolicy.KAMAILIO_DEFAULTS);
        list.merge(lines(OTHER), a -> LOOPBACK, null, 0);
        list.onTimeout(OTHER);
        assertEquals(0, list.merge(lines(OTHER), a -> LOOPBACK, null, 0));
        assertEquals(NodeStatus.DISABLED, status(list, OTHER));
        assertFalse(list.notificationLines().stream().anyMatch(l -> l.address().equals(OTHER)));
        list.onAnswered(OTHER);
        assertEquals(NodeStatus.ACTIVE, status(list, OTHER));
    }

    @Test
    void removeInactiveOffKeepsNodesNotActive() {
        NodeList list = list(new MembershipPolicy(false, false, 0, 1));
        list.merge(lines(OTHER), a -> LOOPBACK, null, 0);
        for (int i = 0; i < 5; i++) {
            list.onTimeout(OTHER);
        }
        assertEquals(NodeStatus.NOT_ACTIVE, status(list, OTHER));
    }

    @Test
    void failCountThresholdsAsKamailio6() {
        NodeList list = list(new MembershipPolicy(true, true, 1, 3));
        list.merge(lines(OTHER), a -> LOOPBACK, null, 0);
        list.onTimeout(OTHER); // 1: not past 1
        assertEquals(NodeStatus.ACTIVE, status(list, OTHER));
        list.onTimeout(OTHER); // 2 > 1
        assertEquals(NodeStatus.NOT_ACTIVE, status(list, OTHER));
        list.onTimeout(OTHER); // 3: not past 3
        assertEquals(NodeStatus.NOT_ACTIVE, status(list, OTHER));
        list.onTimeout(OTHER); // 4 > 3
        assertEquals(NodeStatus.DISABLED, status(list, OTHER));
        list.onTimeout(OTHER);
        assertEquals(Optional.empty(), list.find(OTHER, false));
    }

    @Test
    void answerResetsFailCount() {
        NodeList list = list(new MembershipPolicy(true, true, 1, 3));
        list.merge(lines(OTHER), a -> LOOPBACK, null, 0);
        list.onTimeout(OTHER);
        list.onAnswered(OTHER);
        list.onTimeout(OTHER);
        assertEquals(NodeStatus.ACTIVE, status(list, OTHER));
        assertEquals(1, list.find(OTHER, false).orElseThrow().failCount());
    }

    @Test
    void listenersSeeAddChangeAndRemoval() {
        NodeList list = list(MembershipPolicy.KAMAILIO_DEFAULTS);
        List<String> events = new java.util.ArrayList<>();
        list.addListener((before, after) -> events.add((before == null ? "-" : before.status().wireName()) + ">"
                + (after == null ? "-" : after.status().wireName())));
        list.merge(lines(OTHER), a -> LOOPBACK, null, 0);
        list.onTimeout(OTHER);
        list.onTimeout(OTHER);
        assertEquals(List.of("->active", "active>disabled", "disabled>-"), events);
    }

    @Test
    void isFromNodeComparesIpOfRemoteNodesOnly() throws Exception {
        NodeList list = list(MembershipPolicy.KAMAILIO_DEFAULTS);
        assertFalse(list.isFromNode(LOOPBACK));
        InetAddress remote = InetAddress.getByName("10.1.2.3");
        list.merge(lines(NodeAddress.of("10.1.2.3", 5060, Transport.TCP)), a -> remote, null, 0);
        assertTrue(list.isFromNode(remote));
        assertFalse(list.isFromNode(LOOPBACK));
    }
}

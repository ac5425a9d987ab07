package org.kdmq.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.kdmq.it.OurNodes.await;

import java.net.BindException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.kdmq.gateway.api.DispatchMode;
import org.kdmq.gateway.api.DmqResponse;
import org.kdmq.gateway.api.NodeAddress;
import org.kdmq.gateway.api.NodeInfo;
import org.kdmq.gateway.api.NodeReply;
import org.kdmq.gateway.dmq.DmqSettings;
import org.kdmq.gateway.server.GatewayConfig;
import org.kdmq.gateway.server.GatewayServer;
import org.kdmq.gateway.transport.Transport;

/**
 * 200 of our nodes in one JVM, over real UDP on 127.0.0.1, join through one seed and agree on the
 * list: far past Kamailio's ~30-node limit (its node list is built in a 1 KiB buffer).
 */
class ScaleTest {
    private static final int NODES = 200;
    private final List<GatewayServer> cluster = new ArrayList<>();

    @AfterEach
    void stop() {
        cluster.forEach(GatewayServer::abort);
    }

    private GatewayServer start(String notify) throws Exception {
        for (int attempt = 0; ; attempt++) {
            int port = OurNodes.freePort();
            DmqSettings dmq = DmqSettings.builder(NodeAddress.of("127.0.0.1", port, Transport.UDP))
                    .notificationAddresses(notify == null ? List.of() : List.of(notify))
                    .pingInterval(Duration.ofMinutes(10)) // joins alone must converge; pings are driven below
                    .build();
            try {
                return GatewayServer.start(GatewayConfig.of(dmq).withIoThreads(1));
            } catch (BindException e) {
                if (attempt > 10) {
                    throw e;
                }
            }
        }
    }

    @Test
    void twoHundredNodesJoinAndStayConsistent() throws Exception {
        long t0 = System.nanoTime();
        GatewayServer seed = start(null);
        cluster.add(seed);
        String seedUri = seed.config().dmq().serverAddress().toUriString();
        for (int i = 1; i < NODES; i++) {
            cluster.add(start(seedUri));
        }
        try {
            await("all " + NODES + " lists complete and active", Duration.ofSeconds(120), () -> cluster.stream()
                    .allMatch(s -> s.dmq().nodes().size() == NODES && s.dmq().nodes().stream().allMatch(NodeInfo::isActive)));
        } catch (AssertionError e) {
            java.util.Map<String, Long> sizes = cluster.stream().collect(java.util.stream.Collectors.groupingBy(
                    s -> s.dmq().nodes().size() + "/" + s.dmq().nodes().stream().filter(NodeInfo::isActive).count(),
                    java.util.TreeMap::new, java.util.stream.Collectors.counting()));
            throw new AssertionError(e.getMessage() + "; list size/active -> nodes: " + sizes + "; seed timeouts: "
                    + seed.transactions().stats().timeouts(), e);
        }
        long joinedMs = (System.nanoTime() - t0) / 1_000_000;

        // A ping round from a few nodes changes nothing, and a broadcast reaches all 199 others.
        for (int i = 0; i < 5; i++) {
            cluster.get(i * 40).node().pingNow().join();
        }
        await("pings settled", Duration.ofSeconds(60), () -> cluster.stream().allMatch(s -> s.node().pendingRequests() == 0));
        assertTrue(cluster.stream().allMatch(s -> s.dmq().nodes().size() == NODES));
        for (GatewayServer s : cluster) {
            s.dmq().registerChannel("scale", DispatchMode.HANDLE, m -> CompletableFuture.completedFuture(DmqResponse.ok()));
        }
        ConcurrentLinkedQueue<NodeReply> replies = new ConcurrentLinkedQueue<>();
        assertEquals(NODES - 1, cluster.get(NODES - 1).dmq().bcast("scale", "x".getBytes(), "text/plain", null, 1,
                replies::add).size());
        await("199 answers", Duration.ofSeconds(60), () -> replies.size() == NODES - 1);
        assertTrue(replies.stream().allMatch(NodeReply::isSuccess));
        System.out.printf("scale: %d nodes joined and agreed in %d ms%n", NODES, joinedMs);
    }
}

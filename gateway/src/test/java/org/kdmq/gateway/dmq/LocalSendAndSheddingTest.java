package org.kdmq.gateway.dmq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.kdmq.gateway.dmq.MembershipTest.address;
import static org.kdmq.gateway.dmq.MembershipTest.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.kdmq.gateway.api.DispatchMode;
import org.kdmq.gateway.api.DmqMessage;
import org.kdmq.gateway.api.DmqResponse;
import org.kdmq.gateway.api.NodeReply;

/** A node's sends to itself (in process) and load shedding past --max-pending-requests. */
class LocalSendAndSheddingTest {
    private final InMemorySipNetwork network = new InMemorySipNetwork();

    @AfterEach
    void tearDown() {
        network.close();
    }

    private KdmqNode start(int port, int maxPending) {
        DmqSettings settings = DmqSettings.builder(address(port))
                .notificationAddresses(List.of("sip:127.0.0.1:5390"))
                .pingInterval(Duration.ofHours(1))
                .maxPendingRequests(maxPending)
                .build();
        return network.start(settings);
    }

    @Test
    void aSendToOurselvesReachesOurHandlerAsFromOurselves() throws Exception {
        KdmqNode n = start(5390, 100);
        NodeReply none = n.send("nobody", n.self().address(), new byte[0], null, 1).get(5, TimeUnit.SECONDS);
        assertEquals(404, none.statusCode(), "no handler: what a KDMQ would get");
        List<DmqMessage> got = new ArrayList<>();
        n.registerChannel("echo", DispatchMode.HANDLE, m -> {
            got.add(m);
            return CompletableFuture.completedFuture(DmqResponse.ok(m.body(), m.contentType()));
        });
        byte[] body = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
        NodeReply reply = n.send("echo", n.self().address(), body, "application/json", 1,
                java.util.Map.of("origin", "amqp")).get(5, TimeUnit.SECONDS);
        assertEquals(200, reply.statusCode());
        assertArrayEquals(body, reply.body());
        assertEquals("application/json", reply.contentType());
        assertEquals(n.self().address(), got.get(0).sender().address());
        assertEquals("amqp", got.get(0).meta().get("origin"));
        assertEquals("unicast", got.get(0).meta().get("delivery"));
        n.registerChannel("broken", DispatchMode.PROCESS, m -> {
            throw new IllegalStateException("boom");
        });
        assertEquals(500, n.send("broken", n.self().address(), body, null, 1).get(5, TimeUnit.SECONDS).statusCode());
    }

    @Test
    void pastTheLimitOfRequestsInFlightASendFailsAtOnceWith503() throws Exception {
        KdmqNode sender = start(5390, 3);
        KdmqNode slow = start(5391, 100);
        await("joined", () -> sender.nodes().size() == 2 && slow.nodes().size() == 2);
        List<CompletableFuture<DmqResponse>> held = new ArrayList<>();
        slow.registerChannel("slow", DispatchMode.PROCESS, m -> {
            CompletableFuture<DmqResponse> later = new CompletableFuture<>();
            synchronized (held) {
                held.add(later);
            }
            return later;
        });
        List<CompletableFuture<NodeReply>> inFlight = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            inFlight.add(sender.send("slow", slow.self().address(), new byte[0], null, 1));
        }
        NodeReply shed = sender.send("slow", slow.self().address(), new byte[0], null, 1).get(1, TimeUnit.SECONDS);
        assertEquals(503, shed.statusCode());
        assertTrue(shed.local() && shed.reason().contains("too many requests in flight"), shed.reason());
        assertEquals(1, sender.stats().requestsShed());
        await("the slow node holds them", () -> {
            synchronized (held) {
                return held.size() == 3;
            }
        });
        synchronized (held) {
            held.forEach(f -> f.complete(DmqResponse.ok()));
        }
        for (CompletableFuture<NodeReply> f : inFlight) {
            assertEquals(200, f.get(5, TimeUnit.SECONDS).statusCode());
        }
        await("answers came back", () -> sender.pendingRequests() == 0);
        CompletableFuture<NodeReply> again = sender.send("slow", slow.self().address(), new byte[0], null, 1);
        await("held again", () -> {
            synchronized (held) {
                return held.size() == 4;
            }
        });
        synchronized (held) {
            held.get(3).complete(DmqResponse.ok());
        }
        assertEquals(200, again.get(5, TimeUnit.SECONDS).statusCode(), "room again once answers came back");
    }
}

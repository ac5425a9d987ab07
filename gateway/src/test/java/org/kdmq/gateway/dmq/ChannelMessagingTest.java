package org.kdmq.gateway.dmq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.kdmq.gateway.dmq.MembershipTest.address;
import static org.kdmq.gateway.dmq.MembershipTest.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.kdmq.gateway.api.DispatchMode;
import org.kdmq.gateway.api.DmqMessage;
import org.kdmq.gateway.api.DmqResponse;
import org.kdmq.gateway.api.NodeReply;

/** Channels over an in-memory network: bcast, send, ordering, errors, reply bodies. */
class ChannelMessagingTest {
    private final InMemorySipNetwork network = new InMemorySipNetwork();
    private KdmqNode n1;
    private KdmqNode n2;
    private KdmqNode n3;

    @BeforeEach
    void cluster() {
        n1 = start(5290);
        n2 = start(5291);
        n3 = start(5292);
        await("joined", () -> n1.nodes().size() == 3 && n2.nodes().size() == 3 && n3.nodes().size() == 3);
    }

    @AfterEach
    void tearDown() {
        network.close();
    }

    private KdmqNode start(int port) {
        DmqSettings settings = DmqSettings.builder(address(port))
                .notificationAddresses(List.of("sip:127.0.0.1:5290"))
                .pingInterval(Duration.ofHours(1))
                .numWorkers(4)
                .build();
        return network.start(settings);
    }

    @Test
    void bcastReachesEveryOtherActiveNodeWithBodyAndContentType() throws Exception {
        ConcurrentLinkedQueue<DmqMessage> received = new ConcurrentLinkedQueue<>();
        for (KdmqNode n : List.of(n2, n3)) {
            n.registerChannel("app", DispatchMode.HANDLE, m -> {
                received.add(m);
                return CompletableFuture.completedFuture(DmqResponse.ok("seen by " + n.self().address(), "text/plain"));
            });
        }
        ConcurrentLinkedQueue<NodeReply> replies = new ConcurrentLinkedQueue<>();
        byte[] body = "{\"k\":\"v\"}".getBytes(StandardCharsets.UTF_8);
        var sentTo = n1.bcast("app", body, "application/json", null, 1, replies::add);
        assertEquals(2, sentTo.size());
        await("two replies", () -> replies.size() == 2);
        assertEquals(2, received.size());
        for (DmqMessage m : received) {
            assertArrayEquals(body, m.body());
            assertEquals("application/json", m.contentType());
            assertEquals(address(5290), m.sender().address());
            assertTrue(m.acceptsReplyBody());
        }
        for (NodeReply r : replies) {
            assertEquals(200, r.statusCode());
            // Our own nodes may carry a body in their answers.
            assertEquals("seen by " + r.node(), r.bodyAsString());
        }
    }

    @Test
    void bcastSkipsTheExceptNode() {
        ConcurrentLinkedQueue<NodeReply> replies = new ConcurrentLinkedQueue<>();
        n2.registerChannel("app", DispatchMode.PROCESS, m -> CompletableFuture.completedFuture(DmqResponse.ok()));
        n3.registerChannel("app", DispatchMode.PROCESS, m -> CompletableFuture.completedFuture(DmqResponse.ok()));
        assertEquals(List.of(address(5292)), n1.bcast("app", new byte[0], "text/plain", address(5291), 1, replies::add));
    }

    @Test
    void sendUnicastsAndUnknownChannelIs404() {
        n2.registerChannel("app", DispatchMode.HANDLE,
                m -> CompletableFuture.completedFuture(DmqResponse.ok("pong:" + m.bodyAsString(), "text/plain")));
        NodeReply ok = n1.send("app", address(5291), "ping".getBytes(StandardCharsets.UTF_8), "text/plain", 1)
                .orTimeout(10, TimeUnit.SECONDS).join();
        assertEquals(200, ok.statusCode());
        assertEquals("pong:ping", ok.bodyAsString());

        NodeReply missing = n1.send("nosuch", address(5291), new byte[0], "text/plain", 1)
                .orTimeout(10, TimeUnit.SECONDS).join();
        assertEquals(404, missing.statusCode());
        assertEquals("User Not Found", missing.reason());
    }

    @Test
    void handlerErrorsAreAnsweredNotSwallowed() {
        n2.registerChannel("boom", DispatchMode.HANDLE, m -> {
            throw new IllegalStateException("kaput");
        });
        n2.registerChannel("failed", DispatchMode.HANDLE,
                m -> CompletableFuture.failedFuture(new IllegalArgumentException("bad json")));
        n2.registerChannel("silent", DispatchMode.HANDLE, m -> CompletableFuture.completedFuture(null));
        for (String channel : List.of("boom", "failed", "silent")) {
            NodeReply r = n1.send(channel, address(5291), new byte[0], "text/plain", 1).orTimeout(10, TimeUnit.SECONDS).join();
            assertEquals(500, r.statusCode(), channel);
            assertTrue(r.reason().startsWith("Server Internal Error"), r.reason());
        }
    }

    @Test
    void messagesFromOneSenderOnOneChannelAreHandledInOrder() {
        List<Integer> seen = Collections.synchronizedList(new ArrayList<>());
        n2.registerChannel("ordered", DispatchMode.HANDLE, m -> {
            seen.add(Integer.parseInt(m.bodyAsString()));
            return CompletableFuture.completedFuture(DmqResponse.ok());
        });
        List<CompletableFuture<NodeReply>> replies = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            replies.add(n1.send("ordered", address(5291), Integer.toString(i).getBytes(StandardCharsets.UTF_8),
                    "text/plain", 1));
        }
        CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new)).orTimeout(20, TimeUnit.SECONDS).join();
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            expected.add(i);
        }
        assertEquals(expected, seen);
    }

    @Test
    void replicateForwardsToActiveNodesUnlessTheRequestCameFromOne() throws Exception {
        org.kdmq.gateway.sip.message.SipRequest register = org.kdmq.gateway.sip.message.SipRequest
                .builder("REGISTER", "sip:example.com")
                .header("Via", "SIP/2.0/UDP 192.0.2.50:5060;branch=z9hG4bKphone")
                .header("From", "<sip:alice@example.com>;tag=p").header("To", "<sip:alice@example.com>")
                .header("Call-ID", "reg-1").header("CSeq", "1 REGISTER").header("Max-Forwards", "70").build();
        java.net.InetAddress phone = java.net.InetAddress.getByName("192.0.2.50");
        List<NodeReply> replies = n1.replicate(register, phone, false).get(10, TimeUnit.SECONDS);
        assertEquals(2, replies.size());
        // Our nodes do not take REGISTER: they say so, with Allow.
        assertTrue(replies.stream().allMatch(r -> r.statusCode() == 405), replies.toString());

        java.net.InetAddress fromNode = java.net.InetAddress.getByName("127.0.0.1");
        assertTrue(n1.isFromNode(fromNode));
        assertTrue(n1.replicate(register, fromNode, false).get(10, TimeUnit.SECONDS).isEmpty(), "loop test");
        assertEquals(2, n1.replicate(register, fromNode, true).get(10, TimeUnit.SECONDS).size(), "loop test skipped");
    }

    @Test
    void kdmqRequestsHaveKamailiosHeaderOrder() throws Exception {
        org.kdmq.gateway.sip.message.SipRequest kamailio = KamailioReplayTest.request("htable-set-and-bcast", "01-kdmq.sip");
        org.kdmq.gateway.sip.message.SipRequest ours = KdmqMessages.request("htable", address(5260), address(5261),
                kamailio.body(), "application/json", 1, "127.0.0.1");
        List<String> theirs = kamailio.headers().asList().stream().map(h -> h.name()).filter(n -> !n.equals("Via")).toList();
        List<String> mine = ours.headers().asList().stream().map(h -> h.name()).filter(n -> !n.equals("Supported")).toList();
        assertEquals(theirs, mine);
        assertEquals(kamailio.requestUriText(), ours.requestUriText());
        assertEquals(kamailio.header("To"), ours.header("To"));
        assertEquals(kamailio.header("CSeq"), ours.header("CSeq"));
        assertEquals(kamailio.header("Max-Forwards"), ours.header("Max-Forwards"));
        assertEquals(kamailio.header("Content-Type"), ours.header("Content-Type"));
        assertTrue(ours.header("From").orElseThrow().startsWith("<sip:htable@127.0.0.1:5260>;tag="));
    }

    @Test
    void invalidOutgoingArgumentsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> n1.bcast("bad channel", new byte[0], "text/plain", null, 1, r -> { }));
        assertThrows(IllegalArgumentException.class, () -> n1.bcast("app", new byte[0], "text/plain", null, 0, r -> { }));
        assertThrows(IllegalStateException.class,
                () -> n1.registerChannel("notification_peer", DispatchMode.HANDLE, m -> null));
        CompletableFuture<NodeReply> unknownNode = n1.send("app", address(9999), new byte[0], "text/plain", 1);
        assertTrue(unknownNode.isCompletedExceptionally());
    }
}

package org.kdmq.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.kdmq.gateway.server.TestNodes.await;
import static org.kdmq.gateway.server.TestNodes.uriOf;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.kdmq.gateway.api.DispatchMode;
import org.kdmq.gateway.api.DmqMessage;
import org.kdmq.gateway.api.DmqResponse;
import org.kdmq.gateway.api.NodeAddress;
import org.kdmq.gateway.api.NodeInfo;
import org.kdmq.gateway.api.NodeReply;
import org.kdmq.gateway.api.NodeStatus;
import org.kdmq.gateway.transport.Transport;

/** Whole nodes of ours on 127.0.0.1 over real UDP and TCP: join, bcast, send, crash and return. */
class ClusterTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private final TestNodes nodes = new TestNodes();

    @AfterEach
    void stop() {
        nodes.close();
    }

    private static boolean sees(GatewayServer viewer, GatewayServer other, NodeStatus status) {
        NodeAddress a = other.config().dmq().serverAddress();
        return viewer.dmq().nodes().stream().anyMatch(n -> !n.local() && n.address().equals(a) && n.status() == status);
    }

    private static boolean lacks(GatewayServer viewer, GatewayServer other) {
        NodeAddress a = other.config().dmq().serverAddress();
        return viewer.dmq().nodes().stream().noneMatch(n -> !n.local() && n.address().equals(a));
    }

    private void joinBcastAndSend(Transport transport) throws Exception {
        GatewayServer n1 = nodes.start(transport, null);
        GatewayServer n2 = nodes.start(transport, uriOf(n1));
        GatewayServer n3 = nodes.start(transport, uriOf(n1));
        List<GatewayServer> all = List.of(n1, n2, n3);
        await("three nodes agree", WAIT, () -> all.stream().allMatch(s -> s.dmq().nodes().size() == 3
                && s.dmq().nodes().stream().allMatch(NodeInfo::isActive)));

        ConcurrentLinkedQueue<DmqMessage> received = new ConcurrentLinkedQueue<>();
        for (GatewayServer s : List.of(n2, n3)) {
            s.dmq().registerChannel("app", DispatchMode.HANDLE, m -> {
                received.add(m);
                return CompletableFuture.completedFuture(DmqResponse.ok("ack", "text/plain"));
            });
        }
        ConcurrentLinkedQueue<NodeReply> replies = new ConcurrentLinkedQueue<>();
        byte[] body = "{\"hello\":1}".getBytes(StandardCharsets.UTF_8);
        assertEquals(2, n1.dmq().bcast("app", body, "application/json", null, 1, replies::add).size());
        await("both replies", WAIT, () -> replies.size() == 2);
        assertTrue(replies.stream().allMatch(r -> r.statusCode() == 200 && r.bodyAsString().equals("ack")));
        assertEquals(2, received.size());
        assertTrue(received.stream().allMatch(m -> m.contentType().equals("application/json")
                && new String(m.body(), StandardCharsets.UTF_8).equals("{\"hello\":1}") && m.transport() == transport));

        NodeReply unicast = n2.dmq().send("app", n3.config().dmq().serverAddress(), "one".getBytes(StandardCharsets.UTF_8),
                "text/plain", 1).get(10, TimeUnit.SECONDS);
        assertEquals(200, unicast.statusCode());
    }

    @Test
    void aNodesAnswerToChannelTrafficCompletesOnTheNetworkThreadThatReadItNotOnAWorker() throws Exception {
        GatewayServer n1 = nodes.start(Transport.UDP, null);
        GatewayServer n2 = nodes.start(Transport.UDP, uriOf(n1));
        await("joined", WAIT, () -> n1.dmq().nodes().size() == 2 && n1.dmq().nodes().stream().allMatch(NodeInfo::isActive));
        CompletableFuture<DmqResponse> answer = new CompletableFuture<>();
        n2.dmq().registerChannel("app", DispatchMode.HANDLE, m -> answer);
        // Attached before the answer exists, so it runs where the reply completes, not here.
        CompletableFuture<String> completedOn = n1.dmq().send("app", n2.config().dmq().serverAddress(), new byte[0],
                "text/plain", 1).thenApply(r -> r.statusCode() + " on " + Thread.currentThread().getName());
        answer.complete(DmqResponse.ok());
        // No worker wake-up per reply: the event loop that read the 200 finishes it.
        String outcome = completedOn.get(10, TimeUnit.SECONDS);
        assertTrue(outcome.startsWith("200 on sip-io-"), outcome);
    }

    @Test
    void udpClusterJoinsAndMessages() throws Exception {
        joinBcastAndSend(Transport.UDP);
    }

    @Test
    void tcpClusterJoinsAndMessages() throws Exception {
        joinBcastAndSend(Transport.TCP);
    }

    @Test
    void ipv6NodesJoinAndMessageOverUdpAndTcp() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(ipv6Loopback(), "no IPv6 loopback on this machine");
        for (Transport transport : List.of(Transport.UDP, Transport.TCP)) {
            GatewayServer a = startV6(transport, null);
            GatewayServer b = startV6(transport, TestNodes.uriOf(a));
            await("IPv6 " + transport + " nodes agree", WAIT, () -> a.dmq().nodes().size() == 2 && b.dmq().nodes().size() == 2
                    && a.dmq().nodes().stream().allMatch(NodeInfo::isActive));
            assertEquals("[::1]", a.dmq().nodes().get(0).address().host());
            b.dmq().registerChannel("v6", DispatchMode.HANDLE, m -> CompletableFuture.completedFuture(DmqResponse.ok()));
            assertEquals(200, a.dmq().send("v6", b.config().dmq().serverAddress(), new byte[0], "text/plain", 1)
                    .get(10, TimeUnit.SECONDS).statusCode());
        }
    }

    private final List<GatewayServer> v6 = new java.util.ArrayList<>();

    @AfterEach
    void stopV6() {
        v6.forEach(GatewayServer::abort);
    }

    private GatewayServer startV6(Transport transport, String notify) throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("::1"))) {
            port = s.getLocalPort();
        }
        org.kdmq.gateway.dmq.DmqSettings dmq = org.kdmq.gateway.dmq.DmqSettings
                .builder(NodeAddress.of("[::1]", port, transport))
                .notificationAddresses(notify == null ? List.of() : List.of(notify))
                .pingInterval(Duration.ofSeconds(1)).build();
        GatewayServer server = GatewayServer.start(GatewayConfig.of(dmq)
                .withTimers(Duration.ofMillis(100), Duration.ofMillis(400), Duration.ofSeconds(1)).withIoThreads(1));
        v6.add(server);
        return server;
    }

    private static boolean ipv6Loopback() {
        try (java.net.DatagramSocket s = new java.net.DatagramSocket(new InetSocketAddress("::1", 0))) {
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void crashedNodeIsRemovedAndComesBack() throws Exception {
        GatewayServer n1 = nodes.start(Transport.UDP, null);
        GatewayServer n2 = nodes.start(Transport.UDP, uriOf(n1));
        GatewayServer n3 = nodes.start(Transport.UDP, uriOf(n1));
        await("joined", WAIT, () -> List.of(n1, n2, n3).stream().allMatch(s -> s.dmq().nodes().size() == 3));
        int port3 = n3.config().dmq().serverAddress().port();

        n3.abort();
        await("n3 removed on n1 and n2", WAIT, () -> lacks(n1, n3) && lacks(n2, n3));

        GatewayServer back = nodes.startAt(port3, Transport.UDP, uriOf(n1), b -> b);
        await("n3 back everywhere", WAIT, () -> sees(n1, back, NodeStatus.ACTIVE) && sees(n2, back, NodeStatus.ACTIVE)
                && back.dmq().nodes().size() == 3);
    }

    @Test
    void seedCrashIsOnlyMarkedAndRecovers() throws Exception {
        GatewayServer seed = nodes.start(Transport.TCP, null);
        GatewayServer n2 = nodes.start(Transport.TCP, uriOf(seed));
        await("joined", WAIT, () -> seed.dmq().nodes().size() == 2 && n2.dmq().nodes().size() == 2);
        int seedPort = seed.config().dmq().serverAddress().port();
        seed.abort();
        await("seed not_active on n2", WAIT, () -> sees(n2, seed, NodeStatus.NOT_ACTIVE));
        GatewayServer again = nodes.startAt(seedPort, Transport.TCP, null, b -> b);
        await("seed active again", WAIT, () -> sees(n2, again, NodeStatus.ACTIVE) && again.dmq().nodes().size() == 2);
    }

    @Test
    void gracefulStopIsAnnounced() throws Exception {
        GatewayServer n1 = nodes.start(Transport.UDP, null);
        GatewayServer n2 = nodes.start(Transport.UDP, uriOf(n1), b -> b.pingInterval(Duration.ofHours(1)));
        await("joined", WAIT, () -> n1.dmq().nodes().size() == 2 && n2.dmq().nodes().size() == 2);
        n2.close();
        // n1's pings are every second: it may already have removed n2 after disabling it.
        await("n2 disabled or gone on n1", WAIT, () -> sees(n1, n2, NodeStatus.DISABLED) || lacks(n1, n2));
    }

    @Test
    void theKamailioDeadlockPacketIsAnswered400AndTheNodeKeepsWorking() throws Exception {
        GatewayServer n1 = nodes.start(Transport.UDP, null);
        GatewayServer n2 = nodes.start(Transport.UDP, uriOf(n1));
        await("joined", WAIT, () -> n1.dmq().nodes().size() == 2);
        // The exact bytes that leave Kamailio 5.6.3's node list locked for good.
        byte[] recorded = org.kdmq.gateway.sip.Fixtures.read("stranger-requests-and-deadlock", "37-kdmq.sip");
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            socket.setSoTimeout(10_000);
            // The answer goes to the Via's sent-by (no rport): point it at our socket, bytes otherwise as recorded.
            byte[] poison = new String(recorded, StandardCharsets.ISO_8859_1)
                    .replace("127.0.0.1:42212", "127.0.0.1:" + socket.getLocalPort()).getBytes(StandardCharsets.ISO_8859_1);
            socket.send(new DatagramPacket(poison, poison.length,
                    new InetSocketAddress("127.0.0.1", n1.config().dmq().serverAddress().port())));
            String answer = receive(socket);
            assertTrue(answer.startsWith("SIP/2.0 400 Malformed node list: line 1: "), answer);
        }
        GatewayServer n3 = nodes.start(Transport.UDP, uriOf(n1));
        await("a join after the packet works", WAIT, () -> List.of(n1, n2, n3).stream().allMatch(s -> s.dmq().nodes().size() == 3));
        n2.abort();
        await("failure detection after the packet works", WAIT, () -> lacks(n1, n2) && lacks(n3, n2));
    }

    @Test
    void gracefulStopFinishesWhatIsInFlight() throws Exception {
        GatewayServer sender = nodes.start(Transport.TCP, null);
        GatewayServer busy = nodes.start(Transport.TCP, uriOf(sender), b -> b.numWorkers(1));
        await("joined", WAIT, () -> sender.dmq().nodes().size() == 2);
        java.util.concurrent.CountDownLatch firstStarted = new java.util.concurrent.CountDownLatch(1);
        busy.dmq().registerChannel("slow", DispatchMode.HANDLE, m -> {
            firstStarted.countDown();
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // work takes time (well within timer F)
            return CompletableFuture.completedFuture(DmqResponse.ok());
        });
        List<CompletableFuture<NodeReply>> replies = new java.util.ArrayList<>();
        for (int i = 0; i < 10; i++) {
            replies.add(sender.dmq().send("slow", busy.config().dmq().serverAddress(), new byte[0], "text/plain", 1));
        }
        assertTrue(firstStarted.await(10, TimeUnit.SECONDS));
        busy.close(); // with 10 requests queued or running
        for (CompletableFuture<NodeReply> r : replies) {
            NodeReply reply = r.get(10, TimeUnit.SECONDS);
            assertTrue(reply.statusCode() == 200 || reply.statusCode() == 503 && !reply.local(),
                    "each request is answered, none dropped: " + reply);
        }
        assertTrue(replies.stream().filter(r -> r.join().statusCode() == 200).count() >= 1);
        assertEquals(0, replies.stream().filter(r -> r.join().local()).count(), "no request was left unanswered");
    }

    @Test
    void retransmittedRequestIsHandledOnceAndAnsweredTwice() throws Exception {
        GatewayServer node = nodes.start(Transport.UDP, null);
        AtomicInteger handled = new AtomicInteger();
        node.dmq().registerChannel("once", DispatchMode.HANDLE, m -> {
            handled.incrementAndGet();
            return CompletableFuture.completedFuture(DmqResponse.ok());
        });
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            socket.setSoTimeout(10_000);
            int port = node.config().dmq().serverAddress().port();
            String request = "KDMQ sip:once@127.0.0.1:" + port + " SIP/2.0\r\n"
                    + "Via: SIP/2.0/UDP 127.0.0.1:" + socket.getLocalPort() + ";branch=z9hG4bKretrans1\r\n"
                    + "To: <sip:once@127.0.0.1:" + port + ">\r\n"
                    + "From: <sip:once@127.0.0.1:" + socket.getLocalPort() + ">;tag=x\r\n"
                    + "CSeq: 10 KDMQ\r\nCall-ID: retrans-1\r\nMax-Forwards: 1\r\nContent-Type: text/plain\r\n"
                    + "Content-Length: 1\r\n\r\nx";
            byte[] bytes = request.getBytes(StandardCharsets.UTF_8);
            InetSocketAddress target = new InetSocketAddress("127.0.0.1", port);
            socket.send(new DatagramPacket(bytes, bytes.length, target));
            String first = receive(socket);
            socket.send(new DatagramPacket(bytes, bytes.length, target));
            String second = receive(socket);
            assertTrue(first.startsWith("SIP/2.0 200 OK"), first);
            assertEquals(first, second, "the retransmission gets the same answer");
        }
        assertEquals(1, handled.get());
        assertEquals(1, node.transactions().stats().requestRetransmissionsAbsorbed());
    }

    private static String receive(DatagramSocket socket) throws Exception {
        byte[] buf = new byte[4096];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        socket.receive(p);
        return new String(buf, 0, p.getLength(), StandardCharsets.UTF_8);
    }
}

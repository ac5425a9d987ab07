package org.kdmq.gateway.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kdmq.gateway.sip.Fixtures;
import org.kdmq.gateway.sip.codec.SipLimits;
import org.kdmq.gateway.sip.codec.SipParser;
import org.kdmq.gateway.sip.message.SipMessage;
import org.kdmq.gateway.sip.message.SipRequest;
import org.kdmq.gateway.sip.message.SipResponse;

/** Real exchanges on 127.0.0.1 between two of our transport layers, and with raw sockets. */
class TransportExchangeTest {
    private static final InetSocketAddress ANY_LOOPBACK = new InetSocketAddress("127.0.0.1", 0);
    private final List<NettySipTransportLayer> layers = new ArrayList<>();

    @TempDir
    Path tmp;

    @AfterEach
    void close() {
        layers.forEach(NettySipTransportLayer::close);
    }

    private NettySipTransportLayer start(TransportSettings settings, BlockingQueue<InboundMessage> inbox) throws IOException {
        NettySipTransportLayer layer = new NettySipTransportLayer(settings);
        layer.setInboundHandler(inbox::add);
        layers.add(layer.start());
        return layer;
    }

    private static TransportSettings plain() {
        return new TransportSettings(ANY_LOOPBACK, ANY_LOOPBACK, null, null, SipLimits.defaults(), Duration.ofSeconds(60),
                Duration.ofSeconds(5), 1);
    }

    private static SipRequest request(String via, String callId) {
        return SipRequest.builder("KDMQ", "sip:app@127.0.0.1")
                .header("Via", via)
                .header("To", "<sip:app@127.0.0.1>")
                .header("From", "<sip:app@127.0.0.1>;tag=1")
                .header("CSeq", "10 KDMQ")
                .header("Call-ID", callId)
                .header("Content-Type", "text/plain")
                .body("hello " + callId)
                .build();
    }

    private static InboundMessage take(BlockingQueue<InboundMessage> inbox) throws InterruptedException {
        InboundMessage m = inbox.poll(10, TimeUnit.SECONDS);
        assertNotNull(m, "nothing arrived within 10 s");
        return m;
    }

    private void requestAndAnswer(Transport transport, NettySipTransportLayer a, BlockingQueue<InboundMessage> aInbox,
                                  NettySipTransportLayer b, BlockingQueue<InboundMessage> bInbox, String callId)
            throws Exception {
        InetSocketAddress aAddr = a.localAddress(transport);
        SipRequest r = request("SIP/2.0/" + transport.viaName() + " 127.0.0.1:" + aAddr.getPort() + ";branch=z9hG4bK"
                + callId + ";rport", callId);
        a.send(r, transport, b.localAddress(transport)).get(10, TimeUnit.SECONDS);
        InboundMessage got = take(bInbox);
        assertEquals("hello " + callId, got.message().bodyAsString());
        assertEquals(transport, got.transport());
        b.sendResponse(SipResponse.to((SipRequest) got.message(), 200, "OK").header("Content-Length", "0").build(), got)
                .get(10, TimeUnit.SECONDS);
        InboundMessage answer = take(aInbox);
        assertEquals(200, ((SipResponse) answer.message()).statusCode());
        assertEquals(callId, answer.message().callId());
    }

    @Test
    void udpExchangeWithRport() throws Exception {
        BlockingQueue<InboundMessage> aIn = new LinkedBlockingQueue<>();
        BlockingQueue<InboundMessage> bIn = new LinkedBlockingQueue<>();
        NettySipTransportLayer a = start(plain(), aIn);
        NettySipTransportLayer b = start(plain(), bIn);
        requestAndAnswer(Transport.UDP, a, aIn, b, bIn, "udp1");
    }

    @Test
    void largeDatagramsArriveWhole() throws Exception {
        BlockingQueue<InboundMessage> aIn = new LinkedBlockingQueue<>();
        BlockingQueue<InboundMessage> bIn = new LinkedBlockingQueue<>();
        NettySipTransportLayer a = start(plain(), aIn);
        NettySipTransportLayer b = start(plain(), bIn);
        String big = "x".repeat(40_000); // a node list of ~1000 nodes is this large
        SipRequest r = request("SIP/2.0/UDP 127.0.0.1:" + a.localAddress(Transport.UDP).getPort() + ";branch=z9hG4bKbig",
                "big").toBuilder().body(big).build();
        a.send(r, Transport.UDP, b.localAddress(Transport.UDP)).get(10, TimeUnit.SECONDS);
        assertEquals(big, take(bIn).message().bodyAsString());
        // A burst, read several datagrams per system call (recvmmsg), up to the largest UDP payload:
        // more than one read's worth (32) when they queue up, two of them near the largest payload.
        java.util.Set<String> bodies = new java.util.HashSet<>();
        int burst = 40;
        for (int i = 0; i < burst; i++) {
            boolean large = i == 31 || i == 32;
            String body = ((large ? "L" : "s") + i).repeat(large ? 21_000 : 2_000 + i);
            bodies.add(body);
            a.send(r.toBuilder().body(body).build(), Transport.UDP, b.localAddress(Transport.UDP)).get(10, TimeUnit.SECONDS);
        }
        java.util.Set<String> arrived = new java.util.HashSet<>();
        for (int i = 0; i < burst; i++) {
            arrived.add(take(bIn).message().bodyAsString());
        }
        assertEquals(bodies, arrived);
    }

    @Test
    void tcpExchangeAnswersOnTheSameConnectionAndReusesIt() throws Exception {
        BlockingQueue<InboundMessage> aIn = new LinkedBlockingQueue<>();
        BlockingQueue<InboundMessage> bIn = new LinkedBlockingQueue<>();
        NettySipTransportLayer a = start(plain(), aIn);
        NettySipTransportLayer b = start(plain(), bIn);
        requestAndAnswer(Transport.TCP, a, aIn, b, bIn, "tcp1");
        requestAndAnswer(Transport.TCP, a, aIn, b, bIn, "tcp2");
        assertEquals(1, a.stats().connectionsOpened(), "the pooled connection was reused");
        assertEquals(0, b.stats().connectionsOpened(), "responses went back on the request's connection");
        assertEquals(1, b.stats().connectionsAccepted());
    }

    @Test
    void idleConnectionsCloseAndTheNextRequestOpensAFreshOne() throws Exception {
        BlockingQueue<InboundMessage> aIn = new LinkedBlockingQueue<>();
        BlockingQueue<InboundMessage> bIn = new LinkedBlockingQueue<>();
        NettySipTransportLayer a = start(plain().withIdleTimeout(Duration.ofMillis(300)), aIn);
        NettySipTransportLayer b = start(plain(), bIn);
        requestAndAnswer(Transport.TCP, a, aIn, b, bIn, "idle1");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (a.stats().connectionsClosed() < 1 && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        assertEquals(1, a.stats().connectionsClosed(), "the idle connection was closed");
        requestAndAnswer(Transport.TCP, a, aIn, b, bIn, "idle2");
        assertEquals(2, a.stats().connectionsOpened());
    }

    @Test
    void tlsExchangeWithPemFilesAndRequiredClientCertificates() throws Exception {
        TestCertificates certs = new TestCertificates(tmp);
        TestCertificates.Identity ida = certs.create("node-a");
        TestCertificates.Identity idb = certs.create("node-b");
        Path ca = certs.caBundle("both", List.of(ida, idb));
        TlsConfig tlsA = new TlsConfig(ida.certificatePem(), ida.privateKeyPem(), null, null, ca, null, null, "require", true);
        TlsConfig tlsB = new TlsConfig(idb.certificatePem(), idb.privateKeyPem(), null, null, ca, null, null, "require", true);
        BlockingQueue<InboundMessage> aIn = new LinkedBlockingQueue<>();
        BlockingQueue<InboundMessage> bIn = new LinkedBlockingQueue<>();
        NettySipTransportLayer a = start(plain().withTls(ANY_LOOPBACK, tlsA), aIn);
        NettySipTransportLayer b = start(plain().withTls(ANY_LOOPBACK, tlsB), bIn);
        requestAndAnswer(Transport.TLS, a, aIn, b, bIn, "tls1");

        // A client whose certificate B does not trust is refused.
        TestCertificates.Identity stranger = certs.create("stranger");
        TlsConfig tlsC = new TlsConfig(stranger.certificatePem(), stranger.privateKeyPem(), null, null, ca, null, null,
                "none", true);
        NettySipTransportLayer c = start(plain().withTls(ANY_LOOPBACK, tlsC), new LinkedBlockingQueue<>());
        SipRequest r = request("SIP/2.0/TLS 127.0.0.1:1;branch=z9hG4bKx", "tls-refused");
        assertThrows(Exception.class, () -> {
            c.send(r, Transport.TLS, b.localAddress(Transport.TLS)).get(10, TimeUnit.SECONDS);
            // The handshake may complete on the client side before the server rejects it: then the
            // request never arrives.
            if (bIn.poll(2, TimeUnit.SECONDS) == null) {
                throw new IOException("refused");
            }
        });
    }

    @Test
    void tlsWithKeystores() throws Exception {
        TestCertificates certs = new TestCertificates(tmp);
        TestCertificates.Identity ida = certs.create("ks-a");
        TestCertificates.Identity idb = certs.create("ks-b");
        Path trust = certs.trustStore("ks", List.of(ida, idb));
        TlsConfig tlsA = new TlsConfig(null, null, ida.keyStore(), TestCertificates.PASSWORD, null, trust,
                TestCertificates.PASSWORD, "optional", true);
        TlsConfig tlsB = new TlsConfig(null, null, idb.keyStore(), TestCertificates.PASSWORD, null, trust,
                TestCertificates.PASSWORD, "optional", true);
        BlockingQueue<InboundMessage> aIn = new LinkedBlockingQueue<>();
        BlockingQueue<InboundMessage> bIn = new LinkedBlockingQueue<>();
        NettySipTransportLayer a = start(plain().withTls(ANY_LOOPBACK, tlsA), aIn);
        NettySipTransportLayer b = start(plain().withTls(ANY_LOOPBACK, tlsB), bIn);
        requestAndAnswer(Transport.TLS, a, aIn, b, bIn, "tls-ks");
    }

    @Test
    void kamailioStyleTcpClientGetsTheAnswerOnItsOwnConnection() throws Exception {
        BlockingQueue<InboundMessage> inbox = new LinkedBlockingQueue<>();
        NettySipTransportLayer us = start(plain(), inbox);
        // A request as Kamailio sent it over TCP: its Via names its listening port, 5290, where nothing
        // listens here; the answer must come back on the connection it opened from an ephemeral port.
        byte[] kdmq = Fixtures.read("three-nodes-tcp", "21-kdmq.sip");
        SipMessage parsed = SipParser.parse(kdmq);
        try (Socket socket = new Socket("127.0.0.1", us.localAddress(Transport.TCP).getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(kdmq, 0, 100); // in two segments, to be sure framing is exercised
            out.flush();
            out.write(kdmq, 100, kdmq.length - 100);
            out.flush();
            InboundMessage got = take(inbox);
            assertEquals(parsed.callId(), got.message().callId());
            us.sendResponse(SipResponse.to((SipRequest) got.message(), 200, "OK").build(), got).get(10, TimeUnit.SECONDS);
            String answer = readMessage(socket.getInputStream());
            assertTrue(answer.startsWith("SIP/2.0 200 OK\r\n"), answer);
            assertTrue(answer.contains(parsed.callId()));
        }
        assertEquals(0, us.stats().connectionsOpened());
    }

    @Test
    void badRequestOverUdpIsAnswered400WithTheReasonAndGarbageIsDropped() throws Exception {
        BlockingQueue<InboundMessage> inbox = new LinkedBlockingQueue<>();
        NettySipTransportLayer us = start(plain(), inbox);
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            socket.setSoTimeout(10_000);
            String bad = "KDMQ sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:" + socket.getLocalPort()
                    + ";branch=z9hG4bKbad\r\nFrom: <sip:a@h>;tag=1\r\nTo: <sip:b@h>\r\nCall-ID: bad1\r\nCSeq: 1 KDMQ\r\n"
                    + "Content-Length: banana\r\n\r\n";
            InetSocketAddress target = us.localAddress(Transport.UDP);
            socket.send(new DatagramPacket(new byte[] {1, 2, 3, 0, 7}, 5, target));
            socket.send(new DatagramPacket(bad.getBytes(), bad.length(), target));
            byte[] buf = new byte[2000];
            DatagramPacket reply = new DatagramPacket(buf, buf.length);
            socket.receive(reply);
            String text = new String(buf, 0, reply.getLength(), StandardCharsets.UTF_8);
            assertTrue(text.startsWith("SIP/2.0 400 Bad Request (Bad Content-Length)\r\n"), text);
            assertTrue(text.contains("Call-ID: bad1"));
        }
        assertEquals(1, us.stats().dropped());
        assertEquals(1, us.stats().badRequestsAnswered());
        assertTrue(inbox.isEmpty());
    }

    @Test
    void streamWithoutContentLengthGets400AndIsClosed() throws Exception {
        NettySipTransportLayer us = start(plain(), new LinkedBlockingQueue<>());
        try (Socket socket = new Socket("127.0.0.1", us.localAddress(Transport.TCP).getPort())) {
            socket.setSoTimeout(10_000);
            String noLength = "KDMQ sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:1;branch=z9hG4bKnl\r\n"
                    + "From: <sip:a@h>;tag=1\r\nTo: <sip:b@h>\r\nCall-ID: nl\r\nCSeq: 1 KDMQ\r\n\r\n";
            socket.getOutputStream().write(noLength.getBytes());
            String answer = readMessage(socket.getInputStream());
            assertTrue(answer.startsWith("SIP/2.0 400 Bad Request (Missing Content-Length on a stream transport)"), answer);
            assertEquals(-1, socket.getInputStream().read(), "connection closed after an unframeable message");
        }
    }

    @Test
    void doubleCrlfPingGetsAPong() throws Exception {
        NettySipTransportLayer us = start(plain(), new LinkedBlockingQueue<>());
        try (Socket socket = new Socket("127.0.0.1", us.localAddress(Transport.TCP).getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("\r\n\r\n".getBytes());
            byte[] pong = socket.getInputStream().readNBytes(2);
            assertEquals("\r\n", new String(pong, StandardCharsets.US_ASCII));
        }
    }

    @Test
    void portInUseFailsNamingTheAddress() throws Exception {
        NettySipTransportLayer first = start(plain(), new LinkedBlockingQueue<>());
        InetSocketAddress taken = first.localAddress(Transport.TCP);
        TransportSettings clash = plain().withUdp(null).withTcp(taken);
        BindException e = assertThrows(BindException.class, () -> new NettySipTransportLayer(clash).start());
        assertTrue(e.getMessage().contains("TCP 127.0.0.1:" + taken.getPort()), e.getMessage());
    }

    @Test
    void connectionRefusedFailsTheSend() throws Exception {
        NettySipTransportLayer us = start(plain(), new LinkedBlockingQueue<>());
        InetSocketAddress nobody;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            nobody = new InetSocketAddress("127.0.0.1", s.getLocalPort());
        }
        SipRequest r = request("SIP/2.0/TCP 127.0.0.1:1;branch=z9hG4bKref", "refused");
        CompletionException e = assertThrows(CompletionException.class, () -> us.send(r, Transport.TCP, nobody).join());
        assertTrue(e.getCause() instanceof java.net.ConnectException, e.getCause().toString());
    }

    @Test
    void udpResponseRoutingFollowsReceivedAndRport() {
        SipRequest r = request("SIP/2.0/UDP 10.0.0.1:5070;branch=z9hG4bK1;rport=40000;received=192.0.2.7", "r");
        InboundMessage in = new InboundMessage(r, Transport.UDP, new InetSocketAddress("192.0.2.7", 40000), null, null);
        assertSame(in.remote(), ResponseRouting.udpResponseAddress(SipResponse.to(r, 200, "OK").build(), in),
                "the address the request came from, not a new one resolved from the Via's text");
        InboundMessage fromElsewhere = new InboundMessage(r, Transport.UDP, new InetSocketAddress("192.0.2.8", 40000), null, null);
        assertEquals(new InetSocketAddress("192.0.2.7", 40000),
                ResponseRouting.udpResponseAddress(SipResponse.to(r, 200, "OK").build(), fromElsewhere));
        SipRequest plainVia = request("SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1", "r2");
        assertEquals(new InetSocketAddress("10.0.0.1", 5060),
                ResponseRouting.udpResponseAddress(SipResponse.to(plainVia, 200, "OK").build(), in));
        SipRequest stamped = ResponseRouting.stampReceived(
                request("SIP/2.0/UDP 10.0.0.1:5070;branch=z9hG4bK1;rport", "r3"), new InetSocketAddress("192.0.2.9", 41000));
        assertEquals("192.0.2.9", stamped.topVia().received());
        assertEquals("41000", stamped.topVia().rport());
        SipRequest same = request("SIP/2.0/UDP 192.0.2.9:5070;branch=z9hG4bK1", "r4");
        assertSame(same, ResponseRouting.stampReceived(same, new InetSocketAddress("192.0.2.9", 5070)));
    }

    /** Reads one SIP message (headers + Content-Length body) from a stream. */
    static String readMessage(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        while (!sb.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                break;
            }
            sb.append((char) c);
        }
        String head = sb.toString();
        int length = 0;
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        return head + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }
}

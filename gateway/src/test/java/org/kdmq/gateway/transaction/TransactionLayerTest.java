package org.kdmq.gateway.transaction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.kdmq.gateway.sip.message.SipRequest;
import org.kdmq.gateway.sip.message.SipResponse;
import org.kdmq.gateway.transport.Transport;

class TransactionLayerTest {
    private static final InetSocketAddress PEER = new InetSocketAddress("127.0.0.1", 5070);
    private final VirtualTimerScheduler clock = new VirtualTimerScheduler();
    private final RecordingTransport transport = new RecordingTransport(clock);

    private TransactionLayer layer(TransactionSettings settings) {
        return new TransactionLayer(transport, settings, clock, Runnable::run);
    }

    private static SipRequest request() {
        return SipRequest.builder("KDMQ", "sip:htable@127.0.0.1:5070")
                .header("To", "<sip:htable@127.0.0.1:5070>")
                .header("From", "<sip:htable@127.0.0.1:5060>;tag=a")
                .header("CSeq", "10 KDMQ")
                .header("Call-ID", "c-" + System.nanoTime())
                .header("Max-Forwards", "1")
                .build();
    }

    private static SipResponse answer(SipRequest sent, int code) {
        return SipResponse.to(sent, code, code == 200 ? "OK" : "Trying").build();
    }

    private List<Long> sendTimes() {
        return transport.sent.stream().map(RecordingTransport.Sent::atMillis).toList();
    }

    @Test
    void udpRetransmitsOnTimerEDoublingToT2ThenLocal408AtTimerF() {
        TransactionLayer tx = layer(TransactionSettings.RFC_DEFAULTS);
        CompletableFuture<ClientResponse> result = tx.sendRequest(request(), Transport.UDP, PEER);
        clock.advance(Duration.ofSeconds(31));
        assertFalse(result.isDone());
        assertEquals(List.of(0L, 500L, 1500L, 3500L, 7500L, 11500L, 15500L, 19500L, 23500L, 27500L), sendTimes());
        clock.advance(Duration.ofSeconds(1));
        ClientResponse r = result.join();
        assertTrue(r.local());
        assertEquals(408, r.response().statusCode());
        assertEquals(31500L, sendTimes().get(10));
        assertEquals(10, tx.stats().retransmissions());
        assertEquals(1, tx.stats().timeouts());
        clock.advance(Duration.ofMinutes(5));
        assertEquals(11, transport.sent.size(), "nothing after timer F");
        assertEquals(0, tx.activeClientTransactions());
    }

    @Test
    void customTimers() {
        TransactionLayer tx = layer(TransactionSettings.of(Duration.ofMillis(100), Duration.ofMillis(300), Duration.ofSeconds(1)));
        CompletableFuture<ClientResponse> result = tx.sendRequest(request(), Transport.UDP, PEER);
        clock.advance(Duration.ofSeconds(2));
        assertEquals(List.of(0L, 100L, 300L, 600L, 900L), sendTimes());
        assertEquals(408, result.join().response().statusCode());
    }

    @Test
    void provisionalMovesToT2AndFinalStopsRetransmissionsAndIsDeliveredOnce() {
        TransactionLayer tx = layer(TransactionSettings.RFC_DEFAULTS);
        AtomicInteger completions = new AtomicInteger();
        CompletableFuture<ClientResponse> result = tx.sendRequest(request(), Transport.UDP, PEER);
        result.thenRun(completions::incrementAndGet);
        SipRequest sent = (SipRequest) transport.sent.get(0).message();
        clock.advance(Duration.ofMillis(600)); // retransmit at 500
        transport.inject(answer(sent, 100), Transport.UDP);
        clock.advance(Duration.ofMillis(6000)); // next at 1500 then every 4000: 5500
        assertEquals(List.of(0L, 500L, 1500L, 5500L), sendTimes());
        transport.inject(answer(sent, 200), Transport.UDP);
        transport.inject(answer(sent, 200), Transport.UDP); // retransmitted final during timer K
        clock.advance(Duration.ofSeconds(60));
        assertEquals(4, transport.sent.size());
        assertEquals(200, result.join().response().statusCode());
        assertFalse(result.join().local());
        assertEquals(1, completions.get());
        assertEquals(0, tx.stats().strayResponses());
        transport.inject(answer(sent, 200), Transport.UDP); // after timer K: stray
        assertEquals(1, tx.stats().strayResponses());
    }

    @Test
    void aRequestAnsweredAtItsFirstSendKeepsNothingForTimerK() {
        TransactionLayer tx = layer(TransactionSettings.RFC_DEFAULTS);
        CompletableFuture<ClientResponse> result = tx.sendRequest(request(), Transport.UDP, PEER);
        SipRequest sent = (SipRequest) transport.sent.get(0).message();
        clock.advance(Duration.ofMillis(100)); // before timer E: the server has seen the request once
        transport.inject(answer(sent, 200), Transport.UDP);
        assertEquals(200, result.join().response().statusCode());
        transport.inject(answer(sent, 200), Transport.UDP); // a server repeats only for a repeated request
        assertEquals(1, tx.stats().strayResponses(), "a copy the network made is stray, not absorbed");
        assertEquals(1, transport.sent.size());
    }

    @Test
    void reliableTransportsDoNotRetransmitAndSendFailuresAreLocal503() {
        TransactionLayer tx = layer(TransactionSettings.RFC_DEFAULTS);
        CompletableFuture<ClientResponse> tcp = tx.sendRequest(request(), Transport.TCP, PEER);
        clock.advance(Duration.ofSeconds(31));
        assertEquals(1, transport.sent.size());
        clock.advance(Duration.ofSeconds(2));
        assertEquals(408, tcp.join().response().statusCode());

        transport.failSends = true;
        ClientResponse refused = tx.sendRequest(request(), Transport.TCP, PEER).join();
        assertTrue(refused.local());
        assertEquals(503, refused.response().statusCode());
        assertTrue(refused.response().reasonPhrase().contains("cannot connect to /127.0.0.1:5070"), refused.response().reasonPhrase());
        assertEquals(1, tx.stats().transportErrors());
    }

    @Test
    void viaIsAlwaysAddedWithAUniqueMagicCookieBranch() {
        TransactionLayer tx = layer(TransactionSettings.RFC_DEFAULTS);
        tx.setSentBy(t -> "192.0.2.10:5060");
        SipRequest forwarded = request().toBuilder().header("Via", "SIP/2.0/UDP 10.9.9.9;branch=z9hG4bKold").build();
        tx.sendRequest(forwarded, Transport.TCP, PEER);
        SipRequest sent = (SipRequest) transport.sent.get(0).message();
        assertEquals(List.of("SIP/2.0/TCP 192.0.2.10:5060;branch=" + sent.topVia().branch(),
                "SIP/2.0/UDP 10.9.9.9;branch=z9hG4bKold"), sent.headers().all("Via"));
        Set<String> branches = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            String b = tx.newBranch();
            assertTrue(b.startsWith("z9hG4bK"));
            branches.add(b);
        }
        assertEquals(100_000, branches.size());
    }

    @Test
    void serverAbsorbsRetransmissionsAndAnswersAgain() {
        TransactionLayer tx = layer(TransactionSettings.RFC_DEFAULTS);
        List<ServerTransaction> delivered = new ArrayList<>();
        tx.setRequestHandler(delivered::add);
        SipRequest incoming = request().toBuilder().header("Via", "SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKabc").build();
        transport.inject(incoming, Transport.UDP);
        transport.inject(incoming, Transport.UDP); // before the application answered
        assertEquals(1, delivered.size());
        assertEquals(0, transport.sent.size());
        delivered.get(0).respond(SipResponse.to(incoming, 200, "OK").build());
        SipResponse first = (SipResponse) transport.sent.get(0).message();
        assertNotNull(first.to().tag(), "a To tag is added");
        transport.inject(incoming, Transport.UDP); // retransmission after the answer
        assertEquals(2, transport.sent.size());
        assertEquals(first, transport.sent.get(1).message());
        assertEquals(1, delivered.size());
        delivered.get(0).respond(SipResponse.to(incoming, 500, "late").build()); // ignored
        assertEquals(2, transport.sent.size());
        assertEquals(2, tx.stats().requestRetransmissionsAbsorbed());

        clock.advance(Duration.ofSeconds(31));
        transport.inject(incoming, Transport.UDP);
        assertEquals(1, delivered.size(), "within timer J (64*T1 = 32 s) still the same transaction");
        assertEquals(first, transport.sent.get(2).message(), "the kept answer, rebuilt for the retransmission");
        clock.advance(Duration.ofSeconds(6)); // timer J expires in slices of J/8: gone by J + J/8
        transport.inject(incoming, Transport.UDP);
        assertEquals(2, delivered.size(), "after timer J a copy is a new transaction");
    }

    @Test
    void anAnswerWithABodyIsRepeatedWholeForARetransmission() {
        TransactionLayer tx = layer(TransactionSettings.RFC_DEFAULTS);
        List<ServerTransaction> delivered = new ArrayList<>();
        tx.setRequestHandler(delivered::add);
        for (int i = 0; i < 3; i++) {
            SipRequest incoming = request().toBuilder()
                    .header("Via", "SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKbody" + i).build();
            transport.inject(incoming, Transport.UDP);
            delivered.get(i).respond(SipResponse.to(incoming, 200, "OK").header("Content-Type", "text/plain")
                    .body(("reply " + i).getBytes(java.nio.charset.StandardCharsets.UTF_8)).build());
            SipResponse first = (SipResponse) transport.sent.get(2 * i).message();
            transport.inject(incoming, Transport.UDP);
            assertEquals(first, transport.sent.get(2 * i + 1).message(), "the same headers and body again");
            assertEquals("reply " + i, first.bodyAsString());
        }
        assertEquals(3, delivered.size());
    }

    @Test
    void reliableServerTransactionsEndAtOnce() {
        TransactionLayer tx = layer(TransactionSettings.RFC_DEFAULTS);
        List<ServerTransaction> delivered = new ArrayList<>();
        tx.setRequestHandler(delivered::add);
        SipRequest incoming = request().toBuilder().header("Via", "SIP/2.0/TCP 127.0.0.1:5070;branch=z9hG4bKtcp").build();
        transport.inject(incoming, Transport.TCP);
        delivered.get(0).respond(SipResponse.to(incoming, 200, "OK").build());
        assertEquals(0, tx.activeServerTransactions());
    }

    @Test
    void unansweredServerTransactionsAreForgotten() {
        TransactionLayer tx = layer(TransactionSettings.RFC_DEFAULTS);
        tx.setRequestHandler(t -> { });
        transport.inject(request().toBuilder().header("Via", "SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKlost").build(),
                Transport.UDP);
        assertEquals(1, tx.activeServerTransactions());
        clock.advance(Duration.ofSeconds(65));
        assertEquals(0, tx.activeServerTransactions());
        assertEquals(1, tx.stats().abandoned());
    }

    @Test
    void manyConcurrentClientTransactionsCompleteExactlyOnce() throws Exception {
        TransactionLayer tx = layer(TransactionSettings.RFC_DEFAULTS);
        int threads = 4;
        int perThread = 2000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicInteger completions = new AtomicInteger();
        CountDownLatch sent = new CountDownLatch(threads);
        for (int t = 0; t < threads; t++) {
            pool.execute(() -> {
                for (int i = 0; i < perThread; i++) {
                    tx.sendRequest(request(), Transport.TCP, PEER).thenRun(completions::incrementAndGet);
                }
                sent.countDown();
            });
        }
        assertTrue(sent.await(30, TimeUnit.SECONDS));
        List<RecordingTransport.Sent> all = new ArrayList<>(transport.sent);
        CountDownLatch answered = new CountDownLatch(threads);
        for (int t = 0; t < threads; t++) {
            int from = t;
            pool.execute(() -> {
                for (int i = from; i < all.size(); i += threads) {
                    SipRequest r = (SipRequest) all.get(i).message();
                    transport.inject(answer(r, 200), Transport.TCP);
                    transport.inject(answer(r, 200), Transport.TCP);
                }
                answered.countDown();
            });
        }
        assertTrue(answered.await(30, TimeUnit.SECONDS));
        pool.shutdown();
        assertEquals(threads * perThread, completions.get());
        assertEquals(0, tx.activeClientTransactions());
    }
}

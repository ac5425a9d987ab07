package org.kdmq.bridge.amqp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConfirmingPublisherTest {

    /** A connection to the test broker, with a fresh topic exchange and a queue bound to all of it. */
    private static final class BoundExchange implements AutoCloseable {
        final AmqpConnector connector;
        final String exchange = "kdmq.test." + UUID.randomUUID();
        final Connection connection;
        /** The connection's event loop; null for blocking I/O. */
        final io.netty.channel.EventLoop ioLoop;
        final Channel admin;
        final String queue;

        BoundExchange() throws Exception {
            this(true);
        }

        BoundExchange(boolean eventDriven) throws Exception {
            connector = new AmqpConnector(BackoffPolicy.DEFAULT, Duration.ofSeconds(5), null, "kdmq-test", true,
                    eventDriven, null);
            AmqpServer server = AmqpServer.parse(1, TestBroker.uri().toString(), "local");
            ioLoop = connector.ioLoopFor(server);
            connection = connector.connect(server, "publisher").get(30, TimeUnit.SECONDS);
            admin = connection.createChannel();
            admin.exchangeDeclare(exchange, "topic", false, false, null);
            queue = admin.queueDeclare("", false, true, true, null).getQueue();
            admin.queueBind(queue, exchange, "#");
        }

        @Override
        public void close() throws Exception {
            try {
                admin.exchangeDelete(exchange);
                connection.close();
            } finally {
                connector.close();
            }
        }
    }

    /** Both ways of publishing: on the connection's event loop, and on the owner thread (blocking I/O). */
    @ParameterizedTest(name = "event-driven: {0}")
    @ValueSource(booleans = {true, false})
    void everyPublishIsConfirmedByARealBroker(boolean eventDriven) throws Exception {
        try (BoundExchange broker = new BoundExchange(eventDriven);
             ConfirmingPublisher publisher = new ConfirmingPublisher(64, 10_000)) {
            List<CompletableFuture<Void>> confirms = new ArrayList<>();
            // Queued before the channel exists: they wait in the buffer, then go.
            for (int i = 0; i < 1000; i++) {
                if (i == 10) {
                    publisher.attach(broker.connection, broker.ioLoop);
                }
                AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().contentType("application/json")
                        .messageId("m" + i).build();
                confirms.add(publisher.publish(new ConfirmingPublisher.Message(broker.exchange, "dmq.test", props,
                        ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8))));
            }
            CompletableFuture.allOf(confirms.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            assertEquals(1000, publisher.confirmed());
            assertEquals(0, publisher.nacked());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            long count = 0;
            while (System.nanoTime() < deadline && (count = broker.admin.messageCount(broker.queue)) < 1000) {
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
            assertEquals(1000, count);
        }
    }

    /**
     * Event-driven, one producer runs on the connection's event loop (where a publish goes out at once)
     * while the others hand theirs over: frames of one message never interleave with another's.
     */
    @ParameterizedTest(name = "event-driven: {0}")
    @ValueSource(booleans = {true, false})
    void publishersOnManyThreadsAreAllConfirmedEachInItsOwnOrder(boolean eventDriven) throws Exception {
        int threads = 4;
        int each = 500;
        try (BoundExchange broker = new BoundExchange(eventDriven);
             ConfirmingPublisher publisher = new ConfirmingPublisher(64, 10_000)) {
            publisher.attach(broker.connection, broker.ioLoop);
            List<CompletableFuture<Void>> confirms = java.util.Collections.synchronizedList(new ArrayList<>());
            java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int producer = t;
                Runnable publishAll = () -> {
                    for (int i = 0; i < each; i++) {
                        confirms.add(publisher.publish(new ConfirmingPublisher.Message(broker.exchange, "p" + producer,
                                null, (producer + ":" + i).getBytes(StandardCharsets.UTF_8))));
                    }
                };
                Thread w = new Thread(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    if (producer == 0 && broker.ioLoop != null) {
                        broker.ioLoop.submit(publishAll).syncUninterruptibly();
                    } else {
                        publishAll.run();
                    }
                });
                w.start();
                workers.add(w);
            }
            start.countDown();
            for (Thread w : workers) {
                w.join(TimeUnit.SECONDS.toMillis(30));
            }
            CompletableFuture.allOf(confirms.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            assertEquals(threads * each, publisher.confirmed());
            int[] next = new int[threads];
            for (int n = 0; n < threads * each; n++) {
                com.rabbitmq.client.GetResponse got = null;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (got == null && System.nanoTime() < deadline) {
                    got = broker.admin.basicGet(broker.queue, true);
                }
                assertTrue(got != null, "message " + n + " of " + threads * each);
                String[] parts = new String(got.getBody(), StandardCharsets.UTF_8).split(":");
                int producer = Integer.parseInt(parts[0]);
                assertEquals(next[producer]++, Integer.parseInt(parts[1]), "producer " + producer + " in order");
            }
        }
    }

    @ParameterizedTest(name = "event-driven: {0}")
    @ValueSource(booleans = {true, false})
    void aMessageTheClientCannotEncodeFailsAloneAndTheOthersAreStillConfirmed(boolean eventDriven) throws Exception {
        try (BoundExchange broker = new BoundExchange(eventDriven);
             ConfirmingPublisher publisher = new ConfirmingPublisher(64, 10_000)) {
            publisher.attach(broker.connection, broker.ioLoop);
            List<CompletableFuture<Void>> good = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                good.add(publisher.publish(new ConfirmingPublisher.Message(broker.exchange, "k", null,
                        ("before" + i).getBytes(StandardCharsets.UTF_8))));
            }
            // An exchange name is a short string: over 255 bytes the client refuses to encode the publish.
            CompletableFuture<Void> bad = publisher.publish(new ConfirmingPublisher.Message("x".repeat(300), "k", null,
                    new byte[1]));
            for (int i = 0; i < 10; i++) {
                good.add(publisher.publish(new ConfirmingPublisher.Message(broker.exchange, "k", null,
                        ("after" + i).getBytes(StandardCharsets.UTF_8))));
            }
            CompletableFuture.allOf(good.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            ExecutionException e = assertThrows(ExecutionException.class, () -> bad.get(30, TimeUnit.SECONDS));
            assertTrue(e.getCause().getMessage().contains("cannot publish"), e.getCause().getMessage());
            java.util.Set<String> arrived = new java.util.HashSet<>(); // at least once: a resent one may come twice
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (arrived.size() < 20 && System.nanoTime() < deadline) {
                com.rabbitmq.client.GetResponse got = broker.admin.basicGet(broker.queue, true);
                if (got != null) {
                    arrived.add(new String(got.getBody(), StandardCharsets.UTF_8));
                }
            }
            assertEquals(20, arrived.size(), arrived.toString());
        }
    }

    @Test
    void confirmsCompleteOnTheCompleterThreadUnlessAskedToCompleteAsTheyArrive() throws Exception {
        try (BoundExchange broker = new BoundExchange();
             ConfirmingPublisher publisher = new ConfirmingPublisher(64, 10_000)) {
            publisher.attach(broker.connection, broker.ioLoop);
            CompletableFuture<String> byDefault = publisher.publish(
                    new ConfirmingPublisher.Message(broker.exchange, "k", null, new byte[1]))
                    .thenApply(ignored -> Thread.currentThread().getName());
            CompletableFuture<String> onConfirm = publisher.publish(
                    new ConfirmingPublisher.Message(broker.exchange, "k", null, new byte[1]), ConfirmingPublisher.ON_CONFIRM)
                    .thenApply(ignored -> Thread.currentThread().getName());
            assertEquals("amqp-confirms", byDefault.get(30, TimeUnit.SECONDS));
            assertTrue(onConfirm.get(30, TimeUnit.SECONDS).startsWith("amqp-io"), onConfirm.get());
        }
    }

    /** Continuations that write frames complete as the confirm arrives only on an event-driven connection. */
    @ParameterizedTest(name = "event-driven: {0}")
    @ValueSource(booleans = {true, false})
    void confirmsCompleteAsTheyArriveOnlyOnAnEventDrivenConnectionWhenSoAsked(boolean eventDriven) throws Exception {
        try (BoundExchange broker = new BoundExchange(eventDriven);
             ConfirmingPublisher publisher = new ConfirmingPublisher(64, 10_000)) {
            publisher.attach(broker.connection, broker.ioLoop);
            String thread = publisher.publish(new ConfirmingPublisher.Message(broker.exchange, "k", null, new byte[1]),
                            ConfirmingPublisher.ON_CONFIRM_IF_EVENT_DRIVEN)
                    .thenApply(ignored -> Thread.currentThread().getName())
                    .get(30, TimeUnit.SECONDS);
            if (eventDriven) {
                assertTrue(thread.startsWith("amqp-io"), thread);
            } else {
                assertEquals("amqp-confirms", thread);
            }
        }
    }

    @Test
    void withoutABrokerMessagesWaitInABoundedBufferAndOverflowFailsLoudly() throws Exception {
        try (ConfirmingPublisher publisher = new ConfirmingPublisher(8, 5)) {
            List<CompletableFuture<Void>> waiting = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                waiting.add(publisher.publish(new ConfirmingPublisher.Message("x", "k", null, new byte[0])));
            }
            CompletableFuture<Void> overflow = publisher.publish(new ConfirmingPublisher.Message("x", "k", null, new byte[0]));
            ExecutionException e = assertThrows(ExecutionException.class, () -> overflow.get(5, TimeUnit.SECONDS));
            assertTrue(e.getCause().getMessage().contains("buffer full"), e.getCause().getMessage());
            assertEquals(1, publisher.dropped());
            assertEquals(5, publisher.buffered());
            assertFalse(waiting.stream().anyMatch(CompletableFuture::isDone), "buffered messages are neither sent nor lost");
        }
    }
}

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

class ConfirmingPublisherTest {

    @Test
    void everyPublishIsConfirmedByARealBroker() throws Exception {
        AmqpServer server = AmqpServer.parse(1, TestBroker.uri().toString(), "local");
        String exchange = "kdmq.test." + UUID.randomUUID();
        try (AmqpConnector connector = new AmqpConnector(BackoffPolicy.DEFAULT, Duration.ofSeconds(5), null, "kdmq-test");
             ConfirmingPublisher publisher = new ConfirmingPublisher(64, 10_000)) {
            Connection c = connector.connect(server, "publisher").get(30, TimeUnit.SECONDS);
            try {
                Channel admin = c.createChannel();
                admin.exchangeDeclare(exchange, "topic", false, false, null);
                String queue = admin.queueDeclare("", false, true, true, null).getQueue();
                admin.queueBind(queue, exchange, "#");

                List<CompletableFuture<Void>> confirms = new ArrayList<>();
                // Queued before the channel exists: they wait in the buffer, then go.
                for (int i = 0; i < 1000; i++) {
                    if (i == 10) {
                        publisher.attach(c);
                    }
                    AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().contentType("application/json")
                            .messageId("m" + i).build();
                    confirms.add(publisher.publish(new ConfirmingPublisher.Message(exchange, "dmq.test", props,
                            ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8))));
                }
                CompletableFuture.allOf(confirms.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
                assertEquals(1000, publisher.confirmed());
                assertEquals(0, publisher.nacked());
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                long count = 0;
                while (System.nanoTime() < deadline && (count = admin.messageCount(queue)) < 1000) {
                    java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
                }
                assertEquals(1000, count);
                admin.exchangeDelete(exchange);
            } finally {
                c.close();
            }
        }
    }

    @Test
    void publishersOnManyThreadsAreAllConfirmedEachInItsOwnOrder() throws Exception {
        AmqpServer server = AmqpServer.parse(1, TestBroker.uri().toString(), "local");
        String exchange = "kdmq.test." + UUID.randomUUID();
        int threads = 4;
        int each = 500;
        try (AmqpConnector connector = new AmqpConnector(BackoffPolicy.DEFAULT, Duration.ofSeconds(5), null, "kdmq-test");
             ConfirmingPublisher publisher = new ConfirmingPublisher(64, 10_000)) {
            Connection c = connector.connect(server, "publisher").get(30, TimeUnit.SECONDS);
            try {
                Channel admin = c.createChannel();
                admin.exchangeDeclare(exchange, "topic", false, false, null);
                String queue = admin.queueDeclare("", false, true, true, null).getQueue();
                admin.queueBind(queue, exchange, "#");
                publisher.attach(c);
                List<CompletableFuture<Void>> confirms = java.util.Collections.synchronizedList(new ArrayList<>());
                java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
                List<Thread> workers = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int producer = t;
                    Thread w = new Thread(() -> {
                        try {
                            start.await();
                        } catch (InterruptedException e) {
                            return;
                        }
                        for (int i = 0; i < each; i++) {
                            confirms.add(publisher.publish(new ConfirmingPublisher.Message(exchange, "p" + producer,
                                    null, (producer + ":" + i).getBytes(StandardCharsets.UTF_8))));
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
                        got = admin.basicGet(queue, true);
                    }
                    assertTrue(got != null, "message " + n + " of " + threads * each);
                    String[] parts = new String(got.getBody(), StandardCharsets.UTF_8).split(":");
                    int producer = Integer.parseInt(parts[0]);
                    assertEquals(next[producer]++, Integer.parseInt(parts[1]), "producer " + producer + " in order");
                }
                admin.exchangeDelete(exchange);
            } finally {
                c.close();
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

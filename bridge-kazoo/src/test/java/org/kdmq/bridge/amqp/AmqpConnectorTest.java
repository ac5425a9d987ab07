package org.kdmq.bridge.amqp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AmqpConnectorTest {

    @Test
    void parsesZonesSchemesAndHidesPasswords() {
        AmqpServer plain = AmqpServer.parse(1, "amqp://u:secret@broker:5672/vh", AmqpServer.DEFAULT_PRIMARY_ZONE);
        assertEquals("local", plain.zone());
        assertFalse(plain.tls());
        assertFalse(plain.toString().contains("secret"), plain.toString());
        assertEquals("amqp://u:****@broker:5672/vh", plain.safeUrl());
        AmqpServer eu = AmqpServer.parse(2, "zone=eu;amqps://broker.eu", "local");
        assertEquals("eu", eu.zone());
        assertTrue(eu.tls());
        AmqpServer legacy = AmqpServer.parse(3, "kazoo://guest:guest@10.0.0.1:5672", "local");
        assertEquals("amqp", legacy.uri().getScheme());
        assertThrows(IllegalArgumentException.class, () -> AmqpServer.parse(4, "http://x", "local"));
        assertThrows(IllegalArgumentException.class, () -> AmqpServer.parse(4, "zone=;amqp://x", "local"));
        assertThrows(IllegalArgumentException.class, () -> AmqpServer.parse(4, "zone=eu amqp://x", "local"));
    }

    @Test
    void backoffDoublesToItsCap() {
        BackoffPolicy p = new BackoffPolicy(Duration.ofMillis(100), Duration.ofMillis(1000));
        assertEquals(100, p.delay(0).toMillis());
        assertEquals(200, p.delay(1).toMillis());
        assertEquals(800, p.delay(3).toMillis());
        assertEquals(1000, p.delay(10).toMillis());
        assertEquals(1000, p.delay(1000).toMillis());
    }

    @Test
    void connectsToARealBrokerWithRecoveryAndHeartbeats() throws Exception {
        AmqpServer server = AmqpServer.parse(1, TestBroker.uri().toString(), "local");
        try (AmqpConnector connector = new AmqpConnector(BackoffPolicy.DEFAULT, Duration.ofSeconds(5), null, "kdmq-test")) {
            Connection c = connector.connect(server, "publisher").get(30, TimeUnit.SECONDS);
            try {
                assertTrue(c.isOpen());
                assertTrue(c instanceof com.rabbitmq.client.Recoverable, "automatic recovery is on");
                assertEquals(5, c.getHeartbeat());
                assertTrue(c.getChannelMax() > 0);
                Channel ch = c.createChannel();
                ch.exchangeDeclare("kdmq.test.connector", "topic", false, false, null);
                ch.exchangeDelete("kdmq.test.connector");
            } finally {
                c.close();
            }
        }
    }

    @Test
    void firstConnectRetriesUntilClosed() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // nothing listens there afterwards
        }
        AmqpServer nowhere = AmqpServer.parse(1, "amqp://guest:guest@127.0.0.1:" + port, "local");
        AmqpConnector connector = new AmqpConnector(new BackoffPolicy(Duration.ofMillis(20), Duration.ofMillis(50)),
                Duration.ofSeconds(5), null, "kdmq-test");
        CompletableFuture<Connection> pending = connector.connect(nowhere, "publisher");
        assertThrows(java.util.concurrent.TimeoutException.class, () -> pending.get(500, TimeUnit.MILLISECONDS),
                "still retrying");
        connector.close();
        ExecutionException e = assertThrows(ExecutionException.class, () -> pending.get(10, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof java.io.IOException || e.getCause() instanceof java.net.ConnectException,
                e.getCause().toString());
    }

    /**
     * Event-driven connections run deliveries on the event loop that read them (no hand-off per
     * delivery), and an ack from there works; blocking-I/O connections keep the client's consumer pool,
     * whose acks write the socket and must not run on its reader.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "event-driven: {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
    void deliveriesRunOnTheIoThreadOnlyWhenWritesNeverBlock(boolean eventDriven) throws Exception {
        AmqpServer server = AmqpServer.parse(1, TestBroker.uri().toString(), "local");
        try (AmqpConnector connector = new AmqpConnector(BackoffPolicy.DEFAULT, Duration.ofSeconds(5), null,
                "kdmq-test", true, eventDriven, null)) {
            Connection c = connector.connect(server, "consumer").get(30, TimeUnit.SECONDS);
            try {
                Channel ch = c.createChannel();
                String q = ch.queueDeclare("", false, true, false, null).getQueue(); // exclusive, outlives the channel
                java.util.concurrent.BlockingQueue<String> threads = new java.util.concurrent.LinkedBlockingQueue<>();
                ch.basicConsume(q, false, (tag, delivery) -> {
                    ch.basicAck(delivery.getEnvelope().getDeliveryTag(), false);
                    threads.add(Thread.currentThread().getName()); // after the ack: the test closes on it
                }, tag -> { });
                // From another channel: the client's Netty I/O layer writes a frame from outside the loop
                // as a task, so a publish from here could be split by an ack the loop writes at once.
                Channel publishing = c.createChannel();
                for (int i = 0; i < 3; i++) {
                    publishing.basicPublish("", q, null, new byte[] {(byte) i});
                }
                for (int i = 0; i < 3; i++) {
                    String thread = threads.poll(10, TimeUnit.SECONDS);
                    org.junit.jupiter.api.Assertions.assertNotNull(thread, "delivery " + i);
                    assertEquals(eventDriven, thread.startsWith("amqp-io"), "delivered on " + thread);
                }
                ch.close(); // what was not acked goes back to the queue
                assertEquals(0, c.createChannel().queueDeclarePassive(q).getMessageCount(), "all three were acked");
            } finally {
                c.close();
            }
        }
    }

    /**
     * Closing the connector says goodbye on every connection it opened, while their event loop still
     * runs: closing its own loop first left a later connection.close() waiting out its timeouts (the
     * amqp-query command hung for 20 s on exit).
     */
    @Test
    void closingTheConnectorClosesItsConnectionsPromptly() throws Exception {
        AmqpServer server = AmqpServer.parse(1, TestBroker.uri().toString(), "local");
        AmqpConnector connector = new AmqpConnector(BackoffPolicy.DEFAULT, Duration.ofSeconds(5), null, "kdmq-test");
        Connection publisher = connector.connect(server, "publisher").get(30, TimeUnit.SECONDS);
        Connection consumer = connector.connect(server, "consumer").get(30, TimeUnit.SECONDS);
        assertTrue(publisher.isOpen() && consumer.isOpen());
        long start = System.nanoTime();
        connector.close();
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertFalse(publisher.isOpen(), "publisher connection closed");
        assertFalse(consumer.isOpen(), "consumer connection closed");
        assertTrue(took < 10_000, "closed in " + took + " ms, not after the client's timeouts");
        // Whoever closes it again afterwards (the bridge's own close does) gets the client's usual refusal.
        assertThrows(com.rabbitmq.client.AlreadyClosedException.class, publisher::close);
    }
}

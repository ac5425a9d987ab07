package org.kdmq.bridge.amqp;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.RecoveryDelayHandler;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens connections to one server with the RabbitMQ Java client's automatic connection and topology
 * recovery (no reconnect loop of ours once connected), heartbeats on, channel_max never 0, and, for
 * the first connect, which recovery does not cover, retries with backoff until it works or we stop.
 */
public final class AmqpConnector implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AmqpConnector.class);

    private final BackoffPolicy backoff;
    private final Duration heartbeat;
    private final SSLContext tls;
    private final String connectionName;
    private final boolean verifyHostname;
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "amqp-connect");
        t.setDaemon(true);
        return t;
    });
    private final java.util.Set<CompletableFuture<Connection>> pending = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile boolean closed;
    private final boolean nio;

    /**
     * @param tls for amqps:// servers; null means the JVM's default trust (verifying the server)
     */
    public AmqpConnector(BackoffPolicy backoff, Duration heartbeat, SSLContext tls, String connectionName) {
        this(backoff, heartbeat, tls, connectionName, true);
    }

    /** @param verifyHostname amqps_verify_hostname: check the broker's certificate names its host */
    public AmqpConnector(BackoffPolicy backoff, Duration heartbeat, SSLContext tls, String connectionName,
                         boolean verifyHostname) {
        this(backoff, heartbeat, tls, connectionName, verifyHostname, true);
    }

    /**
     * @param nio the client's NIO mode (the default): frames queued by publishers go out in batched
     *            writes from one I/O thread, where the blocking mode writes and flushes the socket once
     *            per publish. Measured on the publish benchmark: about 20 % more messages per second.
     *            amqps:// connections always use blocking I/O.
     */
    public AmqpConnector(BackoffPolicy backoff, Duration heartbeat, SSLContext tls, String connectionName,
                         boolean verifyHostname, boolean nio) {
        this.nio = nio;
        this.verifyHostname = verifyHostname;
        this.backoff = backoff;
        this.heartbeat = heartbeat;
        this.tls = tls;
        this.connectionName = connectionName;
    }

    ConnectionFactory factory(AmqpServer server) throws GeneralSecurityException, IOException {
        ConnectionFactory f = new ConnectionFactory();
        try {
            f.setUri(server.uri());
        } catch (java.net.URISyntaxException e) {
            throw new IOException("bad AMQP URL " + server.safeUrl(), e);
        }
        if (server.tls()) {
            f.useSslProtocol(tls != null ? tls : SSLContext.getDefault());
            if (verifyHostname) {
                f.enableHostnameVerification();
            }
        }
        f.setAutomaticRecoveryEnabled(true);
        f.setTopologyRecoveryEnabled(true);
        RecoveryDelayHandler delays = attempts -> backoff.delay(attempts).toMillis();
        f.setRecoveryDelayHandler(delays);
        f.setRequestedHeartbeat((int) heartbeat.toSeconds());
        f.setRequestedChannelMax(2047); // 0 would mean "no limit" to some brokers and clients: never ask for it
        f.setConnectionTimeout(5000);
        if (writesNeverBlock(server)) {
            f.useNio();
            f.setNioParams(new com.rabbitmq.client.impl.nio.NioParams()
                    .setWriteQueueFactory(context -> new NonBlockingWriteQueue()));
            f.setSharedExecutor(InlineDeliveries.INSTANCE);
        }
        return f;
    }

    /**
     * Whether writing frames to this server's connections only queues them (NIO with our
     * {@link NonBlockingWriteQueue}), so a publish may run on a thread that must not block. Not for
     * amqps://: the client's NIO TLS has a record of handshake stalls (rabbitmq-java-client #715,
     * #1280), and stalled against the TLS listener of our AmqpsTest; those connections use blocking I/O.
     */
    public boolean writesNeverBlock(AmqpServer server) {
        return nio && !server.tls();
    }

    /** Connects, retrying with backoff; the future fails only when the connector is closed first. */
    public CompletableFuture<Connection> connect(AmqpServer server, String purpose) {
        CompletableFuture<Connection> result = new CompletableFuture<>();
        pending.add(result);
        result.whenComplete((c, e) -> pending.remove(result));
        attempt(server, purpose, 0, result);
        return result;
    }

    private void attempt(AmqpServer server, String purpose, int n, CompletableFuture<Connection> result) {
        if (closed) {
            result.completeExceptionally(new IOException("connector closed"));
            return;
        }
        try {
            retries.execute(() -> tryOnce(server, purpose, n, result));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            result.completeExceptionally(new IOException("connector closed"));
        }
    }

    private void tryOnce(AmqpServer server, String purpose, int n, CompletableFuture<Connection> result) {
        try {
            Connection c = factory(server).newConnection(connectionName + " " + purpose);
            LOG.info("event=amqp_connected server={} zone={} purpose={}", server.safeUrl(), server.zone(), purpose);
            result.complete(c);
        } catch (Exception e) {
            Duration wait = backoff.delay(n);
            LOG.warn("event=amqp_connect_failed server={} purpose={} attempt={} retry_in_ms={} error={}",
                    server.safeUrl(), purpose, n + 1, wait.toMillis(), AmqpServer.masked(String.valueOf(e.getMessage())));
            try {
                retries.schedule(() -> attempt(server, purpose, n + 1, result), wait.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException closedMeanwhile) {
                result.completeExceptionally(e);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        retries.shutdownNow();
        // Attempts still waiting for their next try will never run: say so to whoever waits.
        pending.forEach(f -> f.completeExceptionally(new IOException("connector closed before connecting")));
    }
}

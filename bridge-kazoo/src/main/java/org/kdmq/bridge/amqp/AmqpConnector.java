package org.kdmq.bridge.amqp;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.RecoveryDelayHandler;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
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
    private static final int CLOSE_TIMEOUT_MS = 2000;

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
    // Open connections of ours, closed with the connector; one its owner closes leaves by itself.
    private final java.util.Set<Connection> opened = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final boolean eventDriven;
    private final EventLoop ioLoop;
    private final EventLoopGroup ownLoop;

    /**
     * @param tls for amqps:// servers; null means the JVM's default trust (verifying the server)
     */
    public AmqpConnector(BackoffPolicy backoff, Duration heartbeat, SSLContext tls, String connectionName) {
        this(backoff, heartbeat, tls, connectionName, true);
    }

    /** @param verifyHostname amqps_verify_hostname: check the broker's certificate names its host */
    public AmqpConnector(BackoffPolicy backoff, Duration heartbeat, SSLContext tls, String connectionName,
                         boolean verifyHostname) {
        this(backoff, heartbeat, tls, connectionName, verifyHostname, true, null);
    }

    /**
     * @param eventDriven amqp:// connections run on a Netty event loop (the client's Netty I/O layer):
     *                    a publish there only queues frames, flushed in batches, and confirms and
     *                    deliveries are handled on that loop. Otherwise (and always for amqps://) each
     *                    connection has a reader thread and writes block on the socket.
     * @param ioLoop      the event loop those connections run on; null: a thread of the connector's own.
     *                    Giving it the loop that reads the SIP traffic to be published keeps a message on
     *                    one thread from KDMQ request to confirm to SIP answer.
     */
    public AmqpConnector(BackoffPolicy backoff, Duration heartbeat, SSLContext tls, String connectionName,
                         boolean verifyHostname, boolean eventDriven, EventLoop ioLoop) {
        this.eventDriven = eventDriven;
        this.verifyHostname = verifyHostname;
        this.backoff = backoff;
        this.heartbeat = heartbeat;
        this.tls = tls;
        this.connectionName = connectionName;
        if (ioLoop != null || !eventDriven) {
            this.ownLoop = null;
            this.ioLoop = ioLoop;
        } else {
            this.ownLoop = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("amqp-io", true),
                    Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
            this.ioLoop = ownLoop.next();
        }
    }

    ConnectionFactory factory(AmqpServer server) throws GeneralSecurityException, IOException {
        ConnectionFactory f = new ConnectionFactory();
        f.setUri(server.uri());
        if (server.tls()) {
            // setUri(amqps://...) already turned host name verification on, and useSslProtocol(SSLContext)
            // would too (client 5.2x on): amqps_verify_hostname 0 must be able to turn it off.
            SSLContext context = tls != null ? tls : SSLContext.getDefault();
            f.setSslContextFactory(name -> context);
            f.setSocketFactory(context.getSocketFactory());
            f.setSocketConfigurator(com.rabbitmq.client.SocketConfigurators.defaultConfigurator());
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
        if (ioLoopFor(server) != null) {
            // One loop for every connection of ours, also after a recovery reconnects: a publisher
            // keeps publishing on the thread that owns the socket.
            f.netty().eventLoopGroup(ioLoop).bootstrapCustomizer(b -> b.channel(
                    ioLoop instanceof IoEventLoop loop && loop.isIoType(EpollIoHandler.class)
                            ? EpollSocketChannel.class : NioSocketChannel.class));
            f.setSharedExecutor(InlineDeliveries.INSTANCE);
        }
        return f;
    }

    /**
     * The event loop this server's connections run on, where a publish only queues frames; null when
     * they use blocking I/O (the flag, or amqps://: those keep the client's proven blocking TLS).
     */
    public EventLoop ioLoopFor(AmqpServer server) {
        return eventDriven && !server.tls() ? ioLoop : null;
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
            opened.add(c);
            // Only an application close ends a connection for good: recovery reopens the others.
            c.addShutdownListener(cause -> {
                if (cause.isInitiatedByApplication()) {
                    opened.remove(c);
                }
            });
            if (closed) {
                closeQuietly(c);
            }
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

    /** Closes every connection it opened (they need their event loop to say goodbye), then that loop if its own. */
    @Override
    public void close() {
        closed = true;
        retries.shutdownNow();
        // Attempts still waiting for their next try will never run: say so to whoever waits.
        pending.forEach(f -> f.completeExceptionally(new IOException("connector closed before connecting")));
        opened.forEach(AmqpConnector::closeQuietly);
        if (ownLoop != null) {
            ownLoop.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            if (c.isOpen()) {
                c.close(CLOSE_TIMEOUT_MS);
            }
        } catch (Exception ignored) {
            // closed meanwhile, or the broker is gone: nothing left to say goodbye to
        }
    }
}

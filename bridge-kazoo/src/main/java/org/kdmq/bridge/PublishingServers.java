package org.kdmq.bridge;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.kdmq.bridge.amqp.AmqpServer;
import org.kdmq.bridge.amqp.ConfirmingPublisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which primary-zone server carries the publishes: the first open one in configuration order, as the
 * kazoo module picks; the others stand by. When the publishing connection is lost, the next open one
 * takes over at once; an earlier server that is back takes over again. Exchanges are declared on every
 * connection that publishes, on a channel that stays open so the client's recovery re-declares them.
 */
final class PublishingServers {
    private static final Logger LOG = LoggerFactory.getLogger(PublishingServers.class);

    private final List<AmqpServer> servers;
    private final List<Exchange> exchanges;
    private final ConfirmingPublisher publisher;
    private final java.util.function.Function<AmqpServer, io.netty.channel.EventLoop> ioLoops;
    private final AtomicReference<Connection> publishing = new AtomicReference<>();
    private final Map<Integer, Connection> standby = new ConcurrentHashMap<>();

    /**
     * An exchange we publish to. {@code passive}: it must exist; {@code ensure}: used as it is when it
     * exists, else created; otherwise declared as Kazoo declares it.
     */
    record Exchange(String name, String type, boolean passive, boolean ensure) {
        Exchange(String name, String type, boolean passive) {
            this(name, type, passive, false);
        }

        static Exchange ensure(String name, String type) {
            return new Exchange(name, type, false, true);
        }
    }

    /** @param ioLoops the event loop a server's connections run on, null for blocking I/O ({@link org.kdmq.bridge.amqp.AmqpConnector#ioLoopFor}) */
    PublishingServers(List<AmqpServer> servers, List<Exchange> exchanges, ConfirmingPublisher publisher,
                      java.util.function.Function<AmqpServer, io.netty.channel.EventLoop> ioLoops) {
        this.ioLoops = ioLoops;
        this.servers = servers;
        this.exchanges = List.copyOf(new java.util.LinkedHashSet<>(exchanges));
        this.publisher = publisher;
    }

    boolean isPublishing() {
        Connection c = publishing.get();
        return c != null && c.isOpen();
    }

    /** A server connected (for the first time): it publishes if it is the first open one, else stands by. */
    synchronized void connected(AmqpServer server, Connection connection) {
        standby.put(server.id(), connection);
        connection.addShutdownListener(cause -> {
            if (!cause.isInitiatedByApplication()) {
                LOG.warn("event=amqp_publishing_connection_lost server={} reason={}", server.safeUrl(),
                        AmqpServer.masked(String.valueOf(cause.getMessage())));
                failOver();
            }
        });
        if (connection instanceof Recoverable recoverable) {
            recoverable.addRecoveryListener(new RecoveryListener() {
                @Override
                public void handleRecovery(Recoverable r) {
                    preferEarlier(server, connection);
                }

                @Override
                public void handleRecoveryStarted(Recoverable r) {
                    // publishing has already moved on if another server is open
                }
            });
        }
        if (!isPublishing()) {
            switchTo(server, connection);
        } else {
            preferEarlier(server, connection);
        }
    }

    private synchronized void preferEarlier(AmqpServer server, Connection connection) {
        Connection current = publishing.get();
        int currentId = standby.entrySet().stream().filter(e -> e.getValue() == current).map(Map.Entry::getKey)
                .findFirst().orElse(Integer.MAX_VALUE);
        if (connection.isOpen() && (current == null || !current.isOpen() || server.id() < currentId)) {
            switchTo(server, connection);
        }
    }

    private synchronized void failOver() {
        Connection current = publishing.get();
        if (current != null && current.isOpen()) {
            return;
        }
        for (AmqpServer s : servers) {
            Connection c = standby.get(s.id());
            if (c != null && c.isOpen() && c != current) {
                switchTo(s, c);
                return;
            }
        }
        LOG.warn("event=amqp_no_publishing_server note=\"messages wait in the buffer\"");
    }

    private void switchTo(AmqpServer server, Connection connection) {
        try {
            declareExchanges(connection);
        } catch (IOException e) {
            LOG.error("event=amqp_declare_failed server={} error={}", server.safeUrl(), e.getMessage());
        }
        publishing.set(connection);
        publisher.attach(connection, ioLoops.apply(server));
        LOG.info("event=amqp_publishing server={} zone={}", server.safeUrl(), server.zone());
    }

    private void declareExchanges(Connection connection) throws IOException {
        Channel ch = connection.createChannel(); // stays open: recovery re-declares what was declared on it
        for (Exchange e : exchanges) {
            if (e.ensure()) {
                org.kdmq.bridge.amqp.Exchanges.ensure(connection, e.name(), e.type());
            } else if (e.passive()) {
                ch.exchangeDeclarePassive(e.name());
            } else {
                // As Kazoo declares them: a differing declaration would be refused (406) by RabbitMQ.
                ch.exchangeDeclare(e.name(), e.type(), false, false, false, null);
            }
        }
    }

    void close() {
        publishing.set(null);
        for (Connection c : standby.values()) {
            try {
                c.close();
            } catch (Exception ignored) {
                // shutting down
            }
        }
        standby.clear();
    }
}

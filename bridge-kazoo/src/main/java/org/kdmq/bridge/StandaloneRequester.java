package org.kdmq.bridge;

import com.rabbitmq.client.Connection;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.kdmq.bridge.amqp.AmqpConnector;
import org.kdmq.bridge.amqp.AmqpServer;
import org.kdmq.bridge.amqp.AmqpTls;
import org.kdmq.bridge.amqp.BackoffPolicy;
import org.kdmq.bridge.amqp.ConfirmingPublisher;
import org.kdmq.bridge.amqp.Exchanges;
import org.kdmq.bridge.kazoo.KazooEnvelope;
import org.kdmq.bridge.query.TargetedRequester;

/**
 * A {@link TargetedRequester} on a connection of its own, for the commands that ask the AMQP world
 * without a node ({@code amqp-query}, {@code amqp-bench}): connection, confirming publisher, our
 * targeted queue, and the exchange the queries go to.
 */
final class StandaloneRequester implements AutoCloseable {
    private final AmqpConnector connector;
    private final ConfirmingPublisher publisher;
    private final Connection connection;
    private final TargetedRequester requester;

    /**
     * @throws IOException when the broker cannot be reached within {@code connectTimeout}, or refuses
     */
    StandaloneRequester(AmqpServer server, KazooEnvelope.Identity who, String exchange, int maxOutstanding,
                        Duration connectTimeout) throws Exception {
        connector = new AmqpConnector(BackoffPolicy.DEFAULT, Duration.ofSeconds(5),
                server.tls() ? AmqpTls.context(null, null, null, true) : null, who.serverId());
        publisher = new ConfirmingPublisher(maxOutstanding, maxOutstanding * 10);
        try {
            connection = connector.connect(server, "query").get(connectTimeout.toMillis(), TimeUnit.MILLISECONDS);
            requester = new TargetedRequester(who, m -> publisher.publish(m, ConfirmingPublisher.ON_CONFIRM));
            requester.listenOn(connection);
            Exchanges.ensure(connection, exchange, "topic");
            publisher.attach(connection, connector.ioLoopFor(server));
        } catch (TimeoutException | ExecutionException | IOException e) {
            close();
            throw new IOException("cannot reach " + server.safeUrl() + " within " + connectTimeout.toMillis() + " ms"
                    + (e instanceof TimeoutException ? "" : ": " + e.getMessage()), e);
        }
    }

    TargetedRequester requester() {
        return requester;
    }

    @Override
    public void close() {
        if (requester != null) {
            requester.close();
        }
        publisher.close();
        connector.close();
        if (connection != null) {
            try {
                connection.close();
            } catch (Exception ignored) {
                // already closed
            }
        }
    }
}

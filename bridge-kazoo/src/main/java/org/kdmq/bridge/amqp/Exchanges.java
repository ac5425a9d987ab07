package org.kdmq.bridge.amqp;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.io.IOException;

/** Exchange declaration that never fights an owner's settings. */
public final class Exchanges {
    private Exchanges() {
    }

    /**
     * Uses the exchange as it exists, whatever its type and flags; creates it Kazoo's way (non-durable,
     * non-auto-delete, no arguments) when it does not. A declaration that differs from an existing one
     * would close the channel with 406, and a publish to a missing exchange with 404.
     */
    public static void ensure(Connection connection, String exchange, String type) throws IOException {
        Channel probe = connection.createChannel();
        try {
            probe.exchangeDeclarePassive(exchange);
            closeQuietly(probe);
        } catch (IOException missing) {
            // the passive declare closed the probe channel (404): declare it on a fresh one that stays
            // open, so the client's topology recovery declares it again after a broker restart
            Channel ch = connection.createChannel();
            ch.exchangeDeclare(exchange, type, false, false, false, null);
        }
    }

    private static void closeQuietly(Channel ch) {
        try {
            ch.close();
        } catch (Exception ignored) {
            // already closed
        }
    }
}

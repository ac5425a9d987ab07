package org.kdmq.bridge.amqp;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Exchange declaration that never fights an owner's settings. */
public final class Exchanges {
    private static final Logger LOG = LoggerFactory.getLogger(Exchanges.class);

    private Exchanges() {
    }

    /**
     * Declares the exchange Kazoo's way (non-durable, non-auto-delete, no arguments) on a channel that
     * stays open, so the client's topology recovery declares it again after a broker restart (a
     * non-durable exchange does not survive one). When it exists with other settings (a 406 on a probe
     * channel), it is used as it is: declaring it on a kept channel would close that channel, and
     * recovery would repeat the failure.
     */
    public static void ensure(Connection connection, String exchange, String type) throws IOException {
        Channel probe = connection.createChannel();
        try {
            probe.exchangeDeclare(exchange, type, false, false, false, null);
            closeQuietly(probe);
        } catch (IOException differs) {
            Channel check = connection.createChannel();
            check.exchangeDeclarePassive(exchange); // it does exist: use it as its owner declared it
            closeQuietly(check);
            LOG.warn("event=amqp_exchange_owned_elsewhere exchange={} note=\"declared with other settings; used as it is, "
                    + "not re-declared after a broker restart\"", exchange);
            return;
        }
        connection.createChannel().exchangeDeclare(exchange, type, false, false, false, null);
    }

    private static void closeQuietly(Channel ch) {
        try {
            ch.close();
        } catch (Exception ignored) {
            // already closed
        }
    }
}

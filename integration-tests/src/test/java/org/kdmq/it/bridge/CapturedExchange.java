package org.kdmq.it.bridge;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.util.UUID;
import org.kdmq.bridge.amqp.TestBroker;

/**
 * A fresh topic exchange on the test broker with a private queue bound to all of it, to see what a
 * bridge publishes; deleted on close.
 */
final class CapturedExchange implements AutoCloseable {
    final Connection connection;
    final Channel channel;
    final String exchange;
    final String queue;

    CapturedExchange(String prefix) throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setUri(TestBroker.uri());
        connection = f.newConnection("kdmq-it");
        channel = connection.createChannel();
        exchange = prefix + UUID.randomUUID();
        channel.exchangeDeclare(exchange, "topic", false, false, null);
        queue = channel.queueDeclare("", false, true, true, null).getQueue();
        channel.queueBind(queue, exchange, "#");
    }

    @Override
    public void close() throws Exception {
        try {
            connection.createChannel().exchangeDelete(exchange);
        } finally {
            connection.close();
        }
    }
}

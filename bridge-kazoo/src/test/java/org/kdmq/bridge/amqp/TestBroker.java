package org.kdmq.bridge.amqp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;

/**
 * The RabbitMQ the tests use: a Testcontainers RabbitMQ when a Docker engine is available; else the
 * broker named by KDMQ_TEST_AMQP_URI; else amqp://guest:guest@127.0.0.1:5672. Fails loudly (never skips)
 * when none is reachable.
 */
public final class TestBroker {
    private static URI uri;

    private TestBroker() {
    }

    public static synchronized URI uri() throws IOException {
        if (uri != null) {
            return uri;
        }
        URI chosen = fromDocker();
        if (chosen == null) {
            String env = System.getenv("KDMQ_TEST_AMQP_URI");
            chosen = URI.create(env != null && !env.isBlank() ? env : "amqp://guest:guest@127.0.0.1:5672");
        }
        int port = chosen.getPort() > 0 ? chosen.getPort() : 5672;
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(chosen.getHost(), port), 3000);
        } catch (IOException e) {
            throw new IOException("no RabbitMQ reachable at " + AmqpServer.masked(chosen.toString())
                    + ": start one (.ci/run does) or set KDMQ_TEST_AMQP_URI", e);
        }
        uri = chosen;
        return uri;
    }

    @SuppressWarnings("resource")
    private static URI fromDocker() {
        try {
            if (!org.testcontainers.DockerClientFactory.instance().isDockerAvailable()) {
                return null;
            }
            org.testcontainers.containers.RabbitMQContainer rabbit =
                    new org.testcontainers.containers.RabbitMQContainer("rabbitmq:3.13-management");
            rabbit.start();
            return URI.create(rabbit.getAmqpUrl().replace("amqp://", "amqp://guest:guest@"));
        } catch (Throwable noDocker) {
            return null;
        }
    }
}

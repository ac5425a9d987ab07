package org.kdmq.bridge;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.Connection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
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
import org.kdmq.bridge.kazoo.RoutingKeyTemplate;
import org.kdmq.bridge.query.QueryOptions;
import org.kdmq.bridge.query.TargetedRequester;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kdmq-gateway amqp-query}: asks the AMQP world by hand, exactly as a query channel does
 * (Server-ID = a targeted queue of its own, fresh Msg-ID), and prints the reply. No node is started.
 */
@Command(name = "amqp-query", mixinStandardHelpOptions = true,
        description = "Publish a Kazoo-style query to an exchange and print the reply that echoes its Msg-ID.")
final class AmqpQueryCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--amqp-connection", required = true, description = "amqp:// or amqps:// URL of the broker")
    String connection;

    @Option(names = {"-e", "--exchange"}, required = true, description = "exchange to publish the query to")
    String exchange;

    @Option(names = {"-k", "--routing-key"}, defaultValue = RoutingKeyTemplate.DEFAULT,
            description = "routing key or template with {json.path} parts (default: ${DEFAULT-VALUE})")
    String routingKey;

    @Option(names = "--timeout", defaultValue = "2000", description = "milliseconds to wait for the reply (default: ${DEFAULT-VALUE})")
    long timeoutMs;

    @Option(names = "--connect-timeout", defaultValue = "10000", description = "milliseconds to wait for the broker (default: ${DEFAULT-VALUE})")
    long connectTimeoutMs;

    @Parameters(index = "0", paramLabel = "PAYLOAD", description = "the request, a JSON object ('-' reads it from stdin)")
    String payload;

    @Override
    public Integer call() throws Exception {
        ObjectNode request = parseRequest();
        if (timeoutMs < 1 || timeoutMs > QueryOptions.MAX_TIMEOUT.toMillis()) {
            throw new ParameterException(spec.commandLine(), "--timeout must be 1.." + QueryOptions.MAX_TIMEOUT.toMillis());
        }
        AmqpServer server;
        RoutingKeyTemplate routing;
        try {
            server = AmqpServer.parse(1, connection, AmqpServer.DEFAULT_PRIMARY_ZONE);
            routing = RoutingKeyTemplate.parse(routingKey);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        String node = KazooEnvelope.APP_NAME + "@" + hostName();
        String token = Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong() >>> 32);
        KazooEnvelope.Identity who = new KazooEnvelope.Identity(version(), node,
                node + "-cli-" + token + "-targeted");
        java.io.PrintWriter out = spec.commandLine().getOut();
        java.io.PrintWriter err = spec.commandLine().getErr();
        try (AmqpConnector connector = new AmqpConnector(BackoffPolicy.DEFAULT, Duration.ofSeconds(5),
                server.tls() ? AmqpTls.context(null, null, null, true) : null, node + " amqp-query");
             ConfirmingPublisher publisher = new ConfirmingPublisher(1, 1)) {
            Connection c;
            try {
                c = connector.connect(server, "query").get(connectTimeoutMs, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                err.println("kdmq-gateway: cannot reach " + server.safeUrl() + " within " + connectTimeoutMs + " ms");
                return 1;
            }
            TargetedRequester requester = new TargetedRequester(who, publisher::publish);
            requester.listenOn(c);
            Exchanges.ensure(c, exchange, "topic");
            publisher.attach(c);
            try {
                ObjectNode reply = requester.query(exchange, routing, request, Duration.ofMillis(timeoutMs)).get();
                out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(reply));
                return 0;
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                err.println("kdmq-gateway: " + (cause instanceof TimeoutException
                        ? "no reply within " + timeoutMs + " ms" : String.valueOf(cause.getMessage())));
                return 1;
            } finally {
                c.close();
            }
        }
    }

    private ObjectNode parseRequest() throws IOException {
        String text = "-".equals(payload) ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8) : payload;
        ObjectNode request = KazooEnvelope.asObject(text.getBytes(StandardCharsets.UTF_8));
        if (request == null) {
            throw new ParameterException(spec.commandLine(), "PAYLOAD must be a JSON object");
        }
        return request;
    }

    private static String version() {
        String v = AmqpQueryCommand.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}

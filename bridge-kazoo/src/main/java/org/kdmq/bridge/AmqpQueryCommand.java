package org.kdmq.bridge;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.kdmq.bridge.amqp.AmqpServer;
import org.kdmq.bridge.kazoo.KazooEnvelope;
import org.kdmq.bridge.kazoo.RoutingKeyTemplate;
import org.kdmq.bridge.query.QueryOptions;
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
        AmqpServer server;
        RoutingKeyTemplate routing;
        Duration timeout;
        try {
            timeout = QueryOptions.timeout("--timeout", timeoutMs);
            server = AmqpServer.parse(1, connection, AmqpServer.DEFAULT_PRIMARY_ZONE);
            routing = RoutingKeyTemplate.parse(routingKey);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        KazooEnvelope.Identity who = KazooEnvelope.Identity.withTargetedQueue(version(),
                KazooEnvelope.APP_NAME + "@" + hostName(), "cli");
        try (StandaloneRequester asker = new StandaloneRequester(server, who, exchange, 1,
                Duration.ofMillis(connectTimeoutMs))) {
            ObjectNode reply = asker.requester().query(exchange, routing, request, timeout).get();
            spec.commandLine().getOut().println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(reply));
            return 0;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            spec.commandLine().getErr().println("kdmq-gateway: " + (cause instanceof TimeoutException
                    ? "no reply within " + timeoutMs + " ms" : String.valueOf(cause.getMessage())));
            return 1;
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

package org.kdmq.gateway.api;

import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Something that runs inside a gateway process next to the DMQ node (the kazoo bridge), found with
 * {@link java.util.ServiceLoader}. The gateway depends on this interface only, never on an extension.
 * Lifecycle: {@link #options()} is added to the command line; if {@link #enabled()} after parsing,
 * {@link #start} runs once the node has joined its cluster, and {@link #close} before the node stops.
 */
public interface GatewayExtension extends AutoCloseable {
    /** A short name for logs and the readiness report ("kazoo"). */
    String name();

    /** A picocli mixin object holding this extension's flags (annotated fields), or null for none. */
    Object options();

    /** Whether the parsed flags turn it on (the bridge: at least one --amqp-connection). */
    boolean enabled();

    /** Checks the parsed flags before anything binds; IllegalArgumentException says what is wrong (exit 2). */
    default void validate() {
    }

    /**
     * picocli command objects this extension adds to {@code kdmq-gateway} beside {@code run} (the bridge:
     * {@code amqp-query}). They run without a node.
     */
    default java.util.List<Object> commands() {
        return java.util.List.of();
    }

    /**
     * The SIP network threads this extension works best with when {@code --io-threads} is not given; 0:
     * no preference (twice the cores). The bridge asks for 1: what it receives over SIP and sends over
     * AMQP then never passes between threads, and on small VMs a thread wake-up costs more than the work
     * it hands over. Read after parsing, before anything binds.
     */
    default int preferredIoThreads() {
        return 0;
    }

    /** Starts it; the gateway is up and listening. */
    void start(Context context) throws Exception;

    @Override
    void close();

    /** What an extension gets from the gateway. */
    interface Context {
        Dmq dmq();

        /** Adds a readiness condition to /health/ready (the bridge: a broker connection is open). */
        void addReadinessCheck(String name, BooleanSupplier ready, String meaning);

        /** Adds JSON-RPC methods (the bridge: kazoo.status); the function gets positional params. */
        default void addRpcMethod(String name, java.util.List<String> parameterNames,
                                  java.util.function.Function<Map<String, String>, Object> method) {
            addAsyncRpcMethod(name, parameterNames,
                    params -> java.util.concurrent.CompletableFuture.completedFuture(method.apply(params)));
        }

        /**
         * Adds a JSON-RPC method whose result comes later (the bridge: kazoo.query). A failure with an
         * IllegalArgumentException is answered as invalid params, an IllegalStateException as a failure
         * (code 500) with its message, anything else as an internal error.
         */
        void addAsyncRpcMethod(String name, java.util.List<String> parameterNames,
                               java.util.function.Function<Map<String, String>, java.util.concurrent.CompletionStage<Object>> method);

        /** Registers a counter read at scrape time under the kdmq_ prefix. */
        void addCounter(String name, String description, java.util.function.DoubleSupplier value);

        /** Registers a gauge read at scrape time under the kdmq_ prefix. */
        void addGauge(String name, String description, java.util.function.DoubleSupplier value);

        /** The Micrometer registry, for client metrics (e.g. the RabbitMQ client's). */
        io.micrometer.core.instrument.MeterRegistry meterRegistry();

        /** This node's identity: host name for the bus, version. */
        String nodeHostname();

        String version();

        /** How long a stop may take to finish in-flight work. */
        java.time.Duration shutdownGrace();

        /**
         * A network thread of the node's, for an extension's own connections: the one reading the UDP
         * listener, where most DMQ traffic arrives. Work passed between those connections and SIP then
         * stays on one thread. Code running on it must never block. Null: run your own.
         */
        default io.netty.channel.EventLoop ioLoop() {
            return null;
        }
    }
}

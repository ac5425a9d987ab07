package org.kdmq.bridge;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The kazoo bridge's flags, added to {@code kdmq-gateway run} (each also as a KDMQ_* variable). */
public final class BridgeOptions {
    @Option(names = "--amqp-connection", split = ",(?=(zone=|amqps?://|kazoo://))",
            description = "amqp_connection (repeatable): [zone=NAME;]amqp://, amqps:// or kazoo:// URL. "
                    + "Enables the bridge.")
    List<String> connections = new ArrayList<>();

    @Option(names = "--amqp-primary-zone", defaultValue = "local", description = "amqp_primary_zone (default: ${DEFAULT-VALUE})")
    String primaryZone;

    @Option(names = "--node-hostname", description = "node_hostname: this node on the bus, as kdmq-gateway@HOST "
            + "(default: the host name)")
    String nodeHostname;

    @Option(names = "--mirror", description = "mirror a DMQ channel to an exchange (repeatable): "
            + "CHANNEL=EXCHANGE[:TYPE] or a JSON object (channel, exchange, type, routing, event_key, event_subkey, passive)")
    List<String> mirrors = new ArrayList<>();

    @Option(names = "--subscribe", description = "kazoo_subscribe (repeatable): EXCHANGE:TYPE:QUEUE:ROUTING or the JSON "
            + "form (exchange, type, queue, routing, durable, auto_delete, exclusive, event_key, event_subkey, federate, "
            + "channel, prefetch)")
    List<String> subscriptions = new ArrayList<>();

    @Option(names = "--route", description = "event route to DMQ channel (repeatable): NAME=CHANNEL, NAME as the kazoo "
            + "module names routes, e.g. consumer-event-presence-update=presence")
    List<String> routes = new ArrayList<>();

    @Option(names = "--amqps-ca", description = "amqps_ca_cert: PEM CA bundle to verify brokers with (default: the JVM's)")
    java.nio.file.Path amqpsCa;

    @Option(names = "--amqps-cert", description = "amqps_cert: PEM client certificate")
    java.nio.file.Path amqpsCert;

    @Option(names = "--amqps-key", description = "amqps_key: PEM PKCS#8 client key")
    java.nio.file.Path amqpsKey;

    @Option(names = "--amqps-verify-peer", defaultValue = "1", paramLabel = "0|1",
            description = "amqps_verify_peer (default: ${DEFAULT-VALUE})")
    int amqpsVerifyPeer;

    @Option(names = "--amqps-verify-hostname", defaultValue = "1", paramLabel = "0|1",
            description = "amqps_verify_hostname (default: ${DEFAULT-VALUE})")
    int amqpsVerifyHostname;

    @Option(names = "--bridge-config", description = "a JSON file with lists under amqp_connection, mirror, subscribe, "
            + "query_channel (strings or objects as the flags take) and objects route, query_route (NAME: CHANNEL), added to the flags")
    java.nio.file.Path bridgeConfig;

    @Option(names = "--amqp-io", defaultValue = "netty", paramLabel = "netty|blocking",
            description = "the AMQP client's socket I/O: netty runs amqp:// connections on the node's UDP network "
                    + "thread (no hand-offs, batched writes; nio is the former name); blocking gives each a "
                    + "reader thread. amqps:// always uses blocking (default: ${DEFAULT-VALUE})")
    String amqpIo = "netty";

    @Option(names = "--amqp-heartbeat", defaultValue = "5", description = "heartbeat seconds (default: ${DEFAULT-VALUE})")
    int heartbeatSeconds;

    // RabbitMQ works less per message with fewer unconfirmed messages in flight (on 2 cores: about 2
    // page faults per message at 1000, 0.4 at 128, and 25-40 % more messages/s; README "Performance").
    @Option(names = "--amqp-max-outstanding", defaultValue = "128",
            description = "unconfirmed publishes in flight; more wait in the publish buffer. Caps the rate at "
                    + "this many per broker round trip (default: ${DEFAULT-VALUE})")
    int maxOutstanding;

    @Option(names = "--amqp-publish-buffer", defaultValue = "10000",
            description = "messages kept while no broker is reachable; beyond it a KDMQ gets 503 (default: ${DEFAULT-VALUE})")
    int publishBuffer;

    @Option(names = "--query-route", description = "event route to DMQ channel for requests (repeatable): NAME=CHANNEL; "
            + "a message it takes is a query: sent as a KDMQ on CHANNEL, its reply published back to the requester")
    List<String> queryRoutes = new ArrayList<>();

    @Option(names = "--query-channel", description = "a DMQ channel whose KDMQs are AMQP queries (repeatable): "
            + "CHANNEL=EXCHANGE[:ROUTING_KEY_TEMPLATE]; answered 200 with the reply JSON, 408 on timeout")
    List<String> queryChannels = new ArrayList<>();

    @Option(names = "--amqp-query-timeout", defaultValue = "2000",
            description = "amqp_query_timeout in milliseconds, both directions; a request's Query-Timeout field "
                    + "overrides it (default: ${DEFAULT-VALUE})")
    long queryTimeoutMs = 2000;
}

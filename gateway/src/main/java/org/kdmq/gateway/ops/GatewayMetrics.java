package org.kdmq.gateway.ops;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.kdmq.gateway.api.NodeStatus;
import org.kdmq.gateway.dmq.DmqStats;
import org.kdmq.gateway.dmq.KdmqNode;

/**
 * The Prometheus registry (Micrometer) with the kdmq_ meters: KDMQ traffic by channel and status,
 * node count by status, malformed lists, plus JVM and process meters. Per-channel counters appear as
 * channels are used: {@link #scrape()} registers the new ones before rendering.
 */
public final class GatewayMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final KdmqNode node;
    /** Micrometer holds function meters' state weakly: keep every source alive as long as we are. */
    private final java.util.List<Object> sources = new java.util.concurrent.CopyOnWriteArrayList<>();

    public GatewayMetrics(KdmqNode node) {
        this.node = node;
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        for (NodeStatus status : NodeStatus.values()) {
            Gauge.builder("kdmq_nodes", node, n -> n.nodes().stream().filter(i -> !i.local() && i.status() == status).count())
                    .tag("status", status.wireName())
                    .description("Nodes in the list other than this one, by status")
                    .register(registry);
        }
        DmqStats stats = node.stats();
        FunctionCounter.builder("kdmq_requests_shed", stats, DmqStats::requestsShed)
                .description("Channel requests answered locally 503: too many in flight (--max-pending-requests)")
                .register(registry);
        FunctionCounter.builder("kdmq_node_lists_malformed", stats, DmqStats::malformedNodeLists)
                .description("Node lists received that could not be parsed").register(registry);
        FunctionCounter.builder("kdmq_node_recoveries", stats, DmqStats::nodeRecoveries)
                .description("Nodes that went back to active").register(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** Registers a counter read from a stats object at scrape time (transport, transactions, bridge). */
    public <T> void counter(String name, String description, T source, ToDoubleFunction<T> value, String... tags) {
        sources.add(source);
        FunctionCounter.builder(name, source, value).description(description).tags(tags).register(registry);
    }

    public <T> void gauge(String name, String description, T source, ToDoubleFunction<T> value, String... tags) {
        sources.add(source);
        Gauge.builder(name, source, value).description(description).tags(tags).register(registry);
    }

    /** The Prometheus text exposition. */
    public String scrape() {
        DmqStats stats = node.stats();
        registerEach("kdmq_requests_received", "KDMQ requests received by channel", stats, DmqStats::receivedByChannel, "channel", registry);
        registerEach("kdmq_requests_sent", "KDMQ requests sent by channel", stats, DmqStats::sentByChannel, "channel", registry);
        for (String key : stats.responsesByChannelAndStatus().keySet()) {
            int space = key.lastIndexOf(' ');
            String channel = key.substring(0, space);
            String status = key.substring(space + 1);
            FunctionCounter.builder("kdmq_responses_sent", stats,
                            s -> s.responsesByChannelAndStatus().getOrDefault(key, 0L))
                    .description("Answers to channel requests by channel and status")
                    .tags("channel", channel, "status", status).register(registry);
        }
        for (Integer status : stats.rejectedByStatus().keySet()) {
            FunctionCounter.builder("kdmq_requests_rejected", stats, s -> s.rejectedByStatus().getOrDefault(status, 0L))
                    .description("Requests answered with an error before reaching a channel, by status")
                    .tags("status", Integer.toString(status)).register(registry);
        }
        return registry.scrape();
    }

    /** The state object is the node's stats, which lives as long as the node (Micrometer holds it weakly). */
    private static void registerEach(String name, String description, DmqStats stats,
                                     java.util.function.Function<DmqStats, Map<String, Long>> counts, String tag,
                                     MeterRegistry registry) {
        for (String key : counts.apply(stats).keySet()) {
            FunctionCounter.builder(name, stats, s -> counts.apply(s).getOrDefault(key, 0L))
                    .description(description).tags(tag, key).register(registry);
        }
    }
}

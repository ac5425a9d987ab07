package org.kdmq.gateway.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The results of a run: counts, achieved rates over the measured window (from the end of the warm-up
 * to the last counted completion), errors by status and latency percentiles of delivered messages.
 */
record BenchReport(BenchConfig config, int senders, int targets, double measuredSeconds, long sent, long delivered,
                   long failed, long unfinished, long okRequests, Map<String, Long> errors, Histogram latencies,
                   NodeCounters nodeCounters, JvmActivity.Window jvm) {
    private static final double[] PERCENTILES = {50, 90, 99, 99.9};

    /**
     * What the in-process nodes counted over the whole run, warm-up included: requests the senders sent
     * again (timer E: no answer within T1, 500 ms, over UDP), requests they shed with a local 503 past
     * their --max-pending-requests, and repeats the in-process receivers answered from their transactions.
     * They tell a run's lost or late datagrams from its overload.
     */
    record NodeCounters(long retransmitted, long shed, long retransmissionsAbsorbed) {
    }

    static BenchReport of(BenchConfig config, BenchCluster cluster, BenchStats stats, Phases phases, long unfinished,
                          JvmActivity.Window jvm) {
        long last = stats.lastCompletion();
        double seconds = last == Long.MIN_VALUE ? 0 : Math.max(0, last - phases.measureStart()) / 1e9;
        return new BenchReport(config, cluster.senders().size(), cluster.targetCount(), seconds, stats.sent(),
                stats.delivered(), stats.failed(), unfinished, stats.okRequests(), stats.errorsByStatus(),
                stats.latencies(), cluster.counters(), jvm);
    }

    double deliveredPerSecond() {
        return measuredSeconds == 0 ? 0 : delivered / measuredSeconds;
    }

    /** KDMQ requests answered 2xx per second: a bcast to two nodes is two. */
    double kdmqPerSecond() {
        return measuredSeconds == 0 ? 0 : okRequests / measuredSeconds;
    }

    /**
     * Nodes each message reaches: one for send; for a bcast every active node but its sender, so our
     * other sender nodes (with --connections) too.
     */
    int fanout() {
        return config.mode() == BenchMode.SEND ? 1 : targets + senders - 1;
    }

    long errorCount() {
        return errors.values().stream().mapToLong(Long::longValue).sum();
    }

    private static double ms(long micros) {
        return micros / 1000.0;
    }

    String toText() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("kdmq-gateway bench: %s%n", describe()));
        sb.append(String.format("measured   %.2f s (after %d s of warm-up)%n", measuredSeconds,
                config.warmup().toSeconds()));
        sb.append(String.format("sent       %d messages%n", sent));
        sb.append(String.format("delivered  %d messages: %.1f msg/s, %.1f KDMQ/s%n", delivered, deliveredPerSecond(),
                kdmqPerSecond()));
        sb.append(String.format("failed     %d messages%s%n", failed,
                unfinished > 0 ? ", " + unfinished + " unanswered at the end" : ""));
        sb.append(String.format("errors     %s%n", errors.isEmpty() ? "none" : errorsText()));
        sb.append(String.format("nodes      retransmitted %d, shed %d, retransmissions absorbed %d (whole run)%n",
                nodeCounters.retransmitted(), nodeCounters.shed(), nodeCounters.retransmissionsAbsorbed()));
        sb.append(String.format("jvm        %s%n", jvmText()));
        if (latencies.getTotalCount() == 0) {
            sb.append(String.format("latency    none delivered%n"));
        } else {
            sb.append("latency ms");
            for (double p : PERCENTILES) {
                sb.append(String.format(" p%s=%.3f", label(p), ms(latencies.getValueAtPercentile(p))));
            }
            sb.append(String.format(" max=%.3f mean=%.3f%n", ms(latencies.getMaxValue()), latencies.getMean() / 1000));
        }
        return sb.toString();
    }

    /** This JVM (senders, and in-process receivers) over the measured part. */
    private String jvmText() {
        return String.format("%d GC pauses, %d ms in all, longest %d ms; %s minor page faults (measured part); "
                        + "heap %d MiB%s", jvm.pauses(), jvm.pausedMillis(), jvm.longestPauseMillis(),
                jvm.minorFaults().isPresent() ? Long.toString(jvm.minorFaults().getAsLong()) : "unknown",
                jvm.heapMaxMiB(), (jvm.heapFixed() ? ", fixed" : "") + (jvm.heapPreTouched() ? ", pre-touched" : ""));
    }

    private String errorsText() {
        StringBuilder sb = new StringBuilder();
        errors.forEach((status, n) -> sb.append(sb.isEmpty() ? "" : ", ").append(status).append(": ").append(n));
        if (errors.containsKey("404")) {
            sb.append(" (404: a node has no handler on channel ").append(config.channel()).append(')');
        }
        return sb.toString();
    }

    private String describe() {
        String load = config.openLoop() ? "open loop at " + config.rate() + " msg/s, "
                + (config.tickMicros() > 0 ? "in ticks of " + config.tickMicros() + " us" : "each message at its own time")
                : "closed loop, " + config.inFlight() + " in flight";
        String where = config.cluster() != null ? "cluster " + config.cluster() : config.inProcess() + " in-process nodes";
        String bound = config.duration() != null ? config.duration().toSeconds() + " s" : config.count() + " messages";
        return String.format("%s over %s, %s, %s; %d sender(s) -> %d node(s) (%s), %d KDMQ per message; body %d B, "
                + "channel %s", config.mode().label(), config.transport().uriParam(), load, bound, senders, targets, where,
                fanout(), config.bodySize(), config.channel());
    }

    private static String label(double percentile) {
        return percentile == Math.rint(percentile) ? Long.toString((long) percentile) : Double.toString(percentile);
    }

    ObjectNode toJson(ObjectMapper mapper) {
        ObjectNode root = mapper.createObjectNode();
        ObjectNode c = root.putObject("config");
        c.put("mode", config.mode().label()).put("transport", config.transport().uriParam()).put("rate", config.rate())
                .put("tick_us", config.tickMicros())
                .put("in_flight", config.inFlight()).put("body_size", config.bodySize()).put("channel", config.channel())
                .put("connections", config.connections()).put("warmup_s", config.warmup().toSeconds());
        if (config.duration() != null) {
            c.put("duration_s", config.duration().toSeconds());
        } else {
            c.put("count", config.count());
        }
        if (config.cluster() != null) {
            c.put("cluster", config.cluster().toUriString());
        } else {
            c.put("in_process", config.inProcess());
        }
        root.put("senders", senders).put("targets", targets).put("fanout", fanout())
                .put("measured_s", measuredSeconds).put("sent", sent)
                .put("delivered", delivered).put("failed", failed).put("unfinished", unfinished)
                .put("delivered_per_s", deliveredPerSecond()).put("kdmq_requests", okRequests)
                .put("kdmq_per_s", kdmqPerSecond()).put("error_count", errorCount());
        root.putObject("nodes").put("retransmitted", nodeCounters.retransmitted()).put("shed", nodeCounters.shed())
                .put("retransmissions_absorbed", nodeCounters.retransmissionsAbsorbed());
        ObjectNode j = root.putObject("jvm");
        j.put("gc_pauses", jvm.pauses()).put("gc_pause_ms", jvm.pausedMillis())
                .put("gc_longest_pause_ms", jvm.longestPauseMillis());
        if (jvm.minorFaults().isPresent()) {
            j.put("minor_page_faults", jvm.minorFaults().getAsLong());
        } else {
            j.putNull("minor_page_faults");
        }
        j.put("heap_max_mib", jvm.heapMaxMiB()).put("heap_fixed", jvm.heapFixed())
                .put("heap_pre_touched", jvm.heapPreTouched());
        ObjectNode e = root.putObject("errors");
        errors.forEach(e::put);
        ObjectNode l = root.putObject("latency_ms");
        l.put("count", latencies.getTotalCount());
        if (latencies.getTotalCount() > 0) {
            for (double p : PERCENTILES) {
                l.put("p" + label(p).replace('.', '_'), ms(latencies.getValueAtPercentile(p)));
            }
            l.put("max", ms(latencies.getMaxValue())).put("mean", latencies.getMean() / 1000);
        }
        return root;
    }
}

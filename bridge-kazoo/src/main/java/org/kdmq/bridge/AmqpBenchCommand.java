package org.kdmq.bridge;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.kdmq.bridge.amqp.AmqpServer;
import org.kdmq.bridge.kazoo.KazooEnvelope;
import org.kdmq.bridge.query.TargetedRequester;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code kdmq-gateway amqp-bench}: the AMQP to DMQ query round trip under load (the bench command's
 * query mode, here because it needs the AMQP client). Kazoo-style requests (Server-ID, Msg-ID) go out
 * at a fixed rate, open loop: latency counts from each request's intended send time, so a stall is
 * not hidden (no coordinated omission). Reports achieved rate, errors and percentiles.
 */
@Command(name = "amqp-bench", mixinStandardHelpOptions = true,
        description = "Load a bridge's query route from AMQP at a fixed rate and report round-trip latency.")
final class AmqpBenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--amqp-connection", required = true, description = "amqp:// or amqps:// URL of the broker")
    String connection;

    @Option(names = {"-e", "--exchange"}, required = true, description = "exchange a bridge subscription consumes")
    String exchange;

    @Option(names = {"-k", "--routing-key"}, defaultValue = "bench.query", description = "routing key (default: ${DEFAULT-VALUE})")
    String routingKey;

    @Option(names = "--event", defaultValue = "bench/query", description = "Event-Category/Event-Name of the requests, "
            + "for the bridge's query route (default: ${DEFAULT-VALUE})")
    String event;

    @Option(names = "--rate", defaultValue = "1000", description = "requests per second (default: ${DEFAULT-VALUE})")
    int rate;

    @Option(names = "--duration", defaultValue = "20", description = "measured seconds (default: ${DEFAULT-VALUE})")
    int durationSeconds;

    @Option(names = "--warmup", defaultValue = "5", description = "seconds at the same rate before measuring (default: ${DEFAULT-VALUE})")
    int warmupSeconds;

    @Option(names = "--timeout", defaultValue = "2000", description = "per-request timeout in ms (default: ${DEFAULT-VALUE})")
    long timeoutMs;

    @Option(names = "--json", description = "print the result as one JSON object")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (rate < 1 || rate > 100_000 || durationSeconds < 1 || durationSeconds > 3600 || warmupSeconds < 0
                || timeoutMs < 1 || !event.contains("/")) {
            throw new ParameterException(spec.commandLine(),
                    "need --rate 1..100000, --duration 1..3600, --warmup >= 0, --timeout >= 1, --event CATEGORY/NAME");
        }
        AmqpServer server;
        try {
            server = AmqpServer.parse(1, connection, AmqpServer.DEFAULT_PRIMARY_ZONE);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        KazooEnvelope.Identity who = KazooEnvelope.Identity.withTargetedQueue("bench", KazooEnvelope.APP_NAME + "@bench", null);
        Recorder recorder = new Recorder(TimeUnit.SECONDS.toMicros(60), 3);
        Recorder fromSend = new Recorder(TimeUnit.SECONDS.toMicros(60), 3);
        Recorder sendLag = new Recorder(TimeUnit.SECONDS.toMicros(60), 3);
        AtomicLong answered = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicLong outstanding = new AtomicLong();
        try (StandaloneRequester asker = new StandaloneRequester(server, who, exchange, 10_000, Duration.ofSeconds(10))) {
            TargetedRequester requester = asker.requester();
            String[] ev = event.split("/", 2);
            ObjectMapper mapper = new ObjectMapper();
            long periodNanos = TimeUnit.SECONDS.toNanos(1) / rate;
            long total = (long) rate * (warmupSeconds + durationSeconds);
            long warm = (long) rate * warmupSeconds;
            long start = System.nanoTime();
            long measuredFrom = start + TimeUnit.SECONDS.toNanos(warmupSeconds);
            for (long i = 0; i < total; i++) {
                long intended = start + i * periodNanos;
                long wait = intended - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                ObjectNode request = mapper.createObjectNode().put("Event-Category", ev[0]).put("Event-Name", ev[1]).put("Seq", i);
                boolean measured = i >= warm;
                outstanding.incrementAndGet();
                long sentAt = System.nanoTime();
                if (measured) { // the generator's own lag: a stall here still counts in the latency
                    sendLag.recordValue(Math.max(0, (sentAt - intended) / 1000));
                }
                requester.query(exchange, routingKey, request, Duration.ofMillis(timeoutMs)).whenComplete((reply, error) -> {
                    outstanding.decrementAndGet();
                    if (!measured) {
                        return;
                    }
                    if (error == null && !"error".equals(reply.path("Event-Category").asText())) {
                        answered.incrementAndGet();
                        long now = System.nanoTime();
                        recorder.recordValue(Math.max(0, (now - intended) / 1000));
                        fromSend.recordValue(Math.max(0, (now - sentAt) / 1000));
                    } else {
                        failed.incrementAndGet();
                    }
                });
            }
            long sentEnd = System.nanoTime();
            long deadline = sentEnd + TimeUnit.MILLISECONDS.toNanos(timeoutMs + 1000);
            while (outstanding.get() > 0 && System.nanoTime() < deadline) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
            Histogram h = recorder.getIntervalHistogram();
            double seconds = (sentEnd - measuredFrom) / 1e9;
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("mode", "query");
            out.put("target_rate", rate);
            out.put("measured_seconds", Math.round(seconds * 100) / 100.0);
            out.put("sent", total - warm);
            out.put("answered", answered.get());
            out.put("errors", failed.get());
            out.put("answered_per_second", Math.round(answered.get() / seconds));
            Map<String, Object> latency = percentiles(h);
            out.put("latency_ms", latency);
            // Diagnostics, not the result: how late this generator sent (its own scheduling), and the
            // round trip from the actual send (what a closed-loop tool would report).
            Map<String, Object> fromSendMs = percentiles(fromSend.getIntervalHistogram());
            Map<String, Object> sendLagMs = percentiles(sendLag.getIntervalHistogram());
            out.put("from_send_ms", fromSendMs);
            out.put("send_lag_ms", sendLagMs);
            spec.commandLine().getOut().println(json ? mapper.writeValueAsString(out)
                    : "amqp-bench query: " + out.get("answered") + " answered, " + out.get("errors") + " errors, "
                    + out.get("answered_per_second") + "/s; latency ms " + latency + "; from the actual send "
                    + fromSendMs + "; send lag " + sendLagMs);
            return failed.get() == 0 ? 0 : 1;
        }
    }

    /** p50, p90, p99, p99.9 and max of a histogram of microseconds, in milliseconds. */
    private static Map<String, Object> percentiles(Histogram h) {
        Map<String, Object> ms = new LinkedHashMap<>();
        for (double p : new double[] {50, 90, 99, 99.9}) {
            ms.put("p" + (p == Math.floor(p) ? String.valueOf((int) p) : String.valueOf(p)), h.getValueAtPercentile(p) / 1000.0);
        }
        ms.put("max", h.getMaxValue() / 1000.0);
        return ms;
    }
}

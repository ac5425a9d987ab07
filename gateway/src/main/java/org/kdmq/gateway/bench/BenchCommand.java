package org.kdmq.gateway.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.kdmq.gateway.api.Dmq;
import org.kdmq.gateway.api.NodeAddress;
import org.kdmq.gateway.transport.Transport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code bench}: load a DMQ cluster with KDMQ broadcasts or unicasts and report rates and latency percentiles. */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Measure a DMQ cluster: in-process nodes (default) or a running cluster joined by in-process senders.",
        footer = {"", "Latency runs from a message's intended send time (open loop) or its send (closed loop)",
                "to its last reply, recorded in microseconds (HdrHistogram), for delivered messages only."})
public final class BenchCommand implements Callable<Integer> {
    private static final int MAX_BODY = 60 * 1024;
    /** The characters the node accepts in a channel name (ChannelRegistry), checked before anything starts. */
    private static final String CHANNEL_NAME = "[A-Za-z0-9\\-_.!~*'()]{1,64}";

    @Spec
    CommandSpec spec;

    @Option(names = "--mode", defaultValue = "bcast", paramLabel = "bcast|send|publish|query",
            description = "bcast: one Dmq.bcast to all active nodes, delivered when all answered 2xx; send: Dmq.send "
                    + "to the active nodes in turn; publish: bcast on a channel a bridge mirrors to AMQP (its 200 "
                    + "comes after the broker confirm); query: send on a channel answered with a body (a bridge's "
                    + "--query-channel, an --echo-channel); AMQP clients asking the cluster: see amqp-bench "
                    + "(default: ${DEFAULT-VALUE})")
    String mode;

    @Option(names = "--rate", paramLabel = "N", defaultValue = "0",
            description = "messages per second, open loop (sends at fixed intended times; latency from those times); "
                    + "0: closed loop, as fast as --in-flight allows (default: ${DEFAULT-VALUE})")
    long rate;

    @Option(names = "--tick-us", paramLabel = "MICROS", defaultValue = "1000",
            description = "open loop: the schedule's resolution; messages due within a tick leave together at its "
                    + "start, as with sipp's -timer_resol (latency counts from there). 0: each message at its own "
                    + "time, a thread wake-up each (default: ${DEFAULT-VALUE})")
    long tickMicros;

    @Option(names = "--in-flight", paramLabel = "N", defaultValue = "100",
            description = "closed loop, and the first half of an open loop's warm-up: messages unanswered at once "
                    + "(default: ${DEFAULT-VALUE})")
    int inFlight;

    @Option(names = "--duration", paramLabel = "SECONDS", description = "measure this long (default: 10, unless --count)")
    Long durationSeconds;

    @Option(names = "--count", paramLabel = "N", description = "measure this many messages instead of a duration")
    Long count;

    @Option(names = "--warmup", paramLabel = "SECONDS", defaultValue = "1",
            description = "send this long first, not counted: closed loop, and with --rate its second half at the "
                    + "rate, open loop (default: ${DEFAULT-VALUE})")
    long warmupSeconds;

    @Option(names = "--body-size", paramLabel = "BYTES", defaultValue = "100", description = "(default: ${DEFAULT-VALUE})")
    int bodySize;

    @Option(names = "--channel", paramLabel = "NAME", defaultValue = "bench", description = "(default: ${DEFAULT-VALUE})")
    String channel;

    @Option(names = "--transport", defaultValue = "udp", paramLabel = "udp|tcp|tls",
            description = "how every node is reached; tls uses a self-signed certificate made at start, "
                    + "peers unverified (default: ${DEFAULT-VALUE})")
    String transport;

    @Option(names = "--connections", paramLabel = "N", defaultValue = "1",
            description = "sender nodes (each its own socket(s)); messages go out from each in turn "
                    + "(default: ${DEFAULT-VALUE})")
    int connections;

    @Option(names = "--cluster", paramLabel = "sip:HOST:PORT",
            description = "join the running cluster with this notification address instead of starting receivers; "
                    + "its nodes must answer on --channel")
    String cluster;

    @Option(names = "--bind", paramLabel = "[HOST:]PORT", defaultValue = "127.0.0.1:0",
            description = "sender node address (with --connections N, the ports count up); port 0: ephemeral "
                    + "(default: ${DEFAULT-VALUE})")
    String bind;

    @Option(names = "--in-process", paramLabel = "N",
            description = "start N receiver nodes in this process (default: 2, unless --cluster)")
    Integer inProcess;

    @Option(names = "--json", description = "print the results as one JSON object")
    boolean json;

    @Option(names = "--log-level", paramLabel = "LEVEL", defaultValue = "info",
            description = "the nodes' log level, e.g. warn for less noise (default: ${DEFAULT-VALUE})")
    String logLevel;

    @Override
    public Integer call() throws Exception {
        BenchConfig config = toConfig();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (config.mode() == BenchMode.PUBLISH && config.cluster() == null) {
            err.println("bench: note: no bridge runs in-process, so publish is a plain bcast here");
        }
        BenchCluster nodes;
        try {
            nodes = BenchCluster.start(config, err);
        } catch (IOException | TimeoutException e) {
            err.println("kdmq-gateway: bench: " + e.getMessage());
            return 1;
        }
        // Interrupted (Ctrl-C): our sender nodes still leave a real cluster instead of lingering in its lists.
        Thread leave = new Thread(nodes::close, "bench-shutdown");
        Runtime.getRuntime().addShutdownHook(leave);
        try (nodes) {
            BenchReport report = run(config, nodes, err);
            if (config.json()) {
                ObjectMapper mapper = new ObjectMapper();
                out.println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(report.toJson(mapper)));
            } else {
                out.print(report.toText());
            }
            out.flush();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(leave);
            } catch (IllegalStateException exiting) {
                // the JVM is going down: the hook closes the nodes
            }
        }
        return 0;
    }

    /** Warm-up and measurement on a thread of their own; completions arrive on the nodes' threads. */
    private static BenchReport run(BenchConfig config, BenchCluster nodes, PrintWriter err) throws InterruptedException {
        NanoClock clock = NanoClock.SYSTEM;
        MessageSender sender = MessageSender.roundRobin(senders(config, nodes, clock));
        long start = clock.nanoTime();
        BenchStats stats = new BenchStats(start);
        Phases phases = Phases.of(start, config.warmup().toNanos(),
                config.duration() == null ? 0 : config.duration().toNanos(), config.count());
        Pacing pacing = config.openLoop()
                ? Pacing.openLoopRun(phases, config.inFlight(), config.rate(),
                        TimeUnit.MICROSECONDS.toNanos(config.tickMicros()), clock)
                : Pacing.closedLoop(config.inFlight(), clock);
        LoadGenerator generator = new LoadGenerator(pacing, phases, BenchConfig.MAX_IN_FLIGHT, sender, stats);

        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread thread = new Thread(() -> {
            try {
                generator.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException | Error e) {
                failure.set(e);
            }
        }, "bench-generator");
        JvmActivity.Window jvmWindow;
        try (JvmActivity jvm = new JvmActivity();
             ProgressReporter progress = new ProgressReporter(stats, phases, clock, generator::inFlight, err).start()) {
            thread.start();
            TimeUnit.NANOSECONDS.timedJoin(thread, phases.measureStart() - clock.nanoTime()); // the warm-up
            jvm.startWindow();
            thread.join();
            if (failure.get() != null) {
                throw new IllegalStateException("the load generator failed: " + failure.get(), failure.get());
            }
            // Every request ends by timer F at the latest (a local 408); wait a little longer than that.
            generator.awaitCompletion(nodes.requestTimeout().plusSeconds(5));
            jvmWindow = jvm.endWindow();
        }
        return BenchReport.of(config, nodes, stats, phases, generator.inFlight(), jvmWindow);
    }

    private static List<MessageSender> senders(BenchConfig config, BenchCluster nodes, NanoClock clock) {
        byte[] body = config.mode() == BenchMode.QUERY ? BenchBody.query(config.bodySize()) : BenchBody.of(config.bodySize());
        List<MessageSender> senders = new ArrayList<>();
        for (Dmq dmq : nodes.senders()) {
            senders.add(config.mode() == BenchMode.SEND || config.mode() == BenchMode.QUERY
                    ? new UnicastSender(dmq, nodes.liveTargets(dmq), config.channel(), body, clock,
                            config.mode() == BenchMode.QUERY)
                    : new BcastSender(dmq, config.channel(), body, clock));
        }
        return senders;
    }

    /** Checks every option before anything starts; bad usage is a ParameterException (exit code 2). */
    BenchConfig toConfig() {
        BenchMode benchMode;
        try {
            benchMode = BenchMode.parse(mode);
        } catch (IllegalArgumentException e) {
            throw bad("--mode must be bcast, send, publish or query: " + mode);
        }
        Transport t = switch (transport.toLowerCase(java.util.Locale.ROOT)) {
            case "udp" -> Transport.UDP;
            case "tcp" -> Transport.TCP;
            case "tls" -> Transport.TLS;
            default -> throw bad("--transport must be udp, tcp or tls: " + transport);
        };
        if (durationSeconds != null && count != null) {
            throw bad("give --duration or --count, not both");
        }
        if ((durationSeconds != null && durationSeconds < 1) || (count != null && count < 1)) {
            throw bad("--duration and --count must be at least 1");
        }
        if (rate < 0) {
            throw bad("--rate must be >= 0 (0: closed loop)");
        }
        if (tickMicros < 0 || tickMicros > 1_000_000) {
            throw bad("--tick-us must be 0..1000000");
        }
        if (inFlight < 1) {
            throw bad("--in-flight must be at least 1");
        }
        if (warmupSeconds < 0) {
            throw bad("--warmup must be >= 0");
        }
        if (bodySize < 0 || bodySize > MAX_BODY) {
            throw bad("--body-size must be 0.." + MAX_BODY);
        }
        if (!channel.matches(CHANNEL_NAME)) {
            throw bad("--channel is not a valid channel name: " + channel);
        }
        if (connections < 1 || connections > 64) {
            throw bad("--connections must be 1..64");
        }
        if (cluster != null && inProcess != null) {
            throw bad("give --cluster or --in-process, not both");
        }
        int receivers = cluster != null ? 0 : inProcess != null ? inProcess : 2;
        if (cluster == null && (receivers < 1 || receivers > 64)) {
            throw bad("--in-process must be 1..64");
        }
        NodeAddress clusterAddress = null;
        if (cluster != null) {
            try {
                clusterAddress = NodeAddress.parse(cluster);
            } catch (RuntimeException e) {
                throw bad("--cluster is not a SIP URI: " + cluster + " (" + e.getMessage() + ")");
            }
        }
        String host = "127.0.0.1";
        String port = bind;
        int colon = bind.lastIndexOf(':');
        if (colon >= 0) {
            host = bind.substring(0, colon);
            port = bind.substring(colon + 1);
        }
        int bindPort;
        try {
            bindPort = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw bad("--bind must be [HOST:]PORT: " + bind);
        }
        if (host.isEmpty() || bindPort < 0 || bindPort + connections - 1 > 65535) {
            throw bad("--bind must be [HOST:]PORT with room for --connections ports: " + bind);
        }
        Duration measured = count != null ? null : Duration.ofSeconds(durationSeconds == null ? 10 : durationSeconds);
        return new BenchConfig(benchMode, rate, tickMicros, inFlight, measured, count == null ? 0 : count, bodySize, channel, t,
                connections, clusterAddress, receivers, host, bindPort, Duration.ofSeconds(warmupSeconds), json);
    }

    private ParameterException bad(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}

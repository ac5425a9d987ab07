package org.kdmq.gateway.bench;

import java.io.PrintWriter;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.HdrHistogram.Histogram;

/** One line a second on stderr: where the run is, this second's delivery rate, errors and p99 so far. */
final class ProgressReporter implements AutoCloseable {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bench-progress");
        t.setDaemon(true);
        return t;
    });
    private final BenchStats stats;
    private final Phases phases;
    private final NanoClock clock;
    private final IntSupplier inFlight;
    private final PrintWriter err;

    ProgressReporter(BenchStats stats, Phases phases, NanoClock clock, IntSupplier inFlight, PrintWriter err) {
        this.stats = stats;
        this.phases = phases;
        this.clock = clock;
        this.inFlight = inFlight;
        this.err = err;
    }

    ProgressReporter start() {
        timer.scheduleAtFixedRate(this::report, 1, 1, TimeUnit.SECONDS);
        return this;
    }

    private void report() {
        long now = clock.nanoTime();
        // the phase in progress: reading only the measured one would leave the warm-up's recorder
        // never read, and its code compiled for that
        int phase = phases.phase(now);
        Histogram latencies = stats.latencies(phase);
        String p99 = latencies.getTotalCount() == 0 ? "-"
                : String.format("%.3fms", latencies.getValueAtPercentile(99.0) / 1000.0);
        err.printf("bench: %5.1fs %s sent=%d delivered/s=%d errors=%d p99=%s in-flight=%d%n",
                (now - phases.start()) / 1e9, phase == Phases.MEASURED ? "" : "(warm-up)",
                stats.sent() + stats.warmupSent(), stats.deliveredSinceLastAsked(), stats.errorCount(phase), p99, inFlight.getAsInt());
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}

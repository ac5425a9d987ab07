package org.kdmq.gateway.bench;

import java.time.Duration;
import org.kdmq.gateway.api.NodeAddress;
import org.kdmq.gateway.transport.Transport;

/**
 * A validated bench run.
 *
 * @param rate         messages per second, open loop; 0 for closed loop
 * @param tickMicros   open loop: the schedule's resolution (messages due within a tick leave at its start); 0: none
 * @param inFlight     closed loop: how many messages may be unanswered at once
 * @param duration     the measured part, or null when {@code count} bounds the run
 * @param count        counted messages, or 0 when {@code duration} bounds the run
 * @param cluster      notification address of a running cluster, or null for in-process receivers
 * @param inProcess    in-process receiver nodes (0 with {@code cluster})
 * @param bindHost     where sender nodes listen and what they call themselves
 * @param bindPort     the first sender's port (the next ones count up), 0 for ephemeral ports
 */
record BenchConfig(BenchMode mode, long rate, long tickMicros, int inFlight, Duration duration, long count, int bodySize, String channel,
                   Transport transport, int connections, NodeAddress cluster, int inProcess, String bindHost,
                   int bindPort, Duration warmup, boolean json) {

    /**
     * Unanswered messages at most, whatever the pacing: protects memory when the nodes cannot keep up
     * with an open-loop rate. Waiting on it delays sends, but their latency still counts from the
     * intended send time, so it never flatters the result.
     */
    static final int MAX_IN_FLIGHT = 100_000;

    boolean openLoop() {
        return rate > 0;
    }
}

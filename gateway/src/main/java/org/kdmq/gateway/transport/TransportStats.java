package org.kdmq.gateway.transport;

import java.util.concurrent.atomic.LongAdder;

/** Transport counters, read by the metrics endpoint. */
public final class TransportStats {
    final LongAdder received = new LongAdder();
    final LongAdder sent = new LongAdder();
    final LongAdder parseErrors = new LongAdder();
    final LongAdder dropped = new LongAdder();
    final LongAdder badRequestsAnswered = new LongAdder();
    final LongAdder connectionsOpened = new LongAdder();
    final LongAdder connectionsAccepted = new LongAdder();
    final LongAdder connectionsClosed = new LongAdder();
    final LongAdder sendFailures = new LongAdder();

    public long received() {
        return received.sum();
    }

    public long sent() {
        return sent.sum();
    }

    /** Bytes that were not a SIP message we accept (answered with 400 or dropped). */
    public long parseErrors() {
        return parseErrors.sum();
    }

    /** Garbage that could not be answered. */
    public long dropped() {
        return dropped.sum();
    }

    public long badRequestsAnswered() {
        return badRequestsAnswered.sum();
    }

    /** Outbound TCP/TLS connections we opened. */
    public long connectionsOpened() {
        return connectionsOpened.sum();
    }

    public long connectionsAccepted() {
        return connectionsAccepted.sum();
    }

    public long connectionsClosed() {
        return connectionsClosed.sum();
    }

    public long sendFailures() {
        return sendFailures.sum();
    }
}

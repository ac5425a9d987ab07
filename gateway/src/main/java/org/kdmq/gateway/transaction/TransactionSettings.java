package org.kdmq.gateway.transaction;

import java.time.Duration;
import java.util.Objects;

/**
 * RFC 3261 timer values. T1 (RTT estimate, 500 ms), T2 (largest retransmit interval, 4 s), T4
 * (how long a message may live in the network, 5 s) and timer F, how long a non-INVITE request may go
 * unanswered (64*T1 = 32 s by default; Kamailio's fr_timer is 30 s).
 */
public record TransactionSettings(Duration t1, Duration t2, Duration t4, Duration timerF) {
    public static final TransactionSettings RFC_DEFAULTS = of(Duration.ofMillis(500), Duration.ofSeconds(4), null);

    public TransactionSettings {
        Objects.requireNonNull(t1, "t1");
        Objects.requireNonNull(t2, "t2");
        Objects.requireNonNull(t4, "t4");
        Objects.requireNonNull(timerF, "timerF");
        if (t1.toMillis() < 1 || t2.compareTo(t1) < 0 || timerF.compareTo(t1) < 0) {
            throw new IllegalArgumentException("need T1 >= 1 ms, T2 >= T1 and timer F >= T1");
        }
    }

    /** T1 and T2 as given, T4 5 s, timer F 64*T1 unless given. */
    public static TransactionSettings of(Duration t1, Duration t2, Duration timerF) {
        return new TransactionSettings(t1, t2, Duration.ofSeconds(5), timerF != null ? timerF : t1.multipliedBy(64));
    }

    /** Timer J (server) for unreliable transports: 64*T1. */
    Duration timerJ() {
        return Duration.ofNanos(t1.toNanos() * 64); // per request: multipliedBy goes through BigDecimal
    }
}

package org.kdmq.bridge.amqp;

import java.time.Duration;

/**
 * How long to wait before connection attempt n (0-based): exponential from {@code initial}, capped at
 * {@code max}. Used for the first connect, which the client's automatic recovery does not cover, and
 * as the client's recovery delay handler.
 */
public record BackoffPolicy(Duration initial, Duration max) {
    public static final BackoffPolicy DEFAULT = new BackoffPolicy(Duration.ofMillis(500), Duration.ofSeconds(30));

    public BackoffPolicy {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("need 0 < initial <= max");
        }
    }

    public Duration delay(int attempt) {
        long millis = initial.toMillis();
        for (int i = 0; i < attempt && millis < max.toMillis(); i++) {
            millis *= 2;
        }
        return Duration.ofMillis(Math.min(millis, max.toMillis()));
    }
}

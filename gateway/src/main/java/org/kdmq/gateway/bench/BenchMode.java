package org.kdmq.gateway.bench;

import java.util.Locale;

/** What one bench message is. */
enum BenchMode {
    /** One Dmq.bcast to every active node; delivered when all answered 2xx. */
    BCAST,
    /** One Dmq.send to the next active node in turn. */
    SEND,
    /**
     * A bcast on a channel a bridge mirrors to AMQP: the same from our side, but the bridge answers 200
     * only once the broker confirmed the publish, so latencies include the broker round trip.
     */
    PUBLISH,
    /**
     * A Dmq.send to the active nodes in turn that must come back 2xx with an answer in the body: a
     * query channel of a bridge node (DMQ -> AMQP -> DMQ) or an --echo-channel. A 2xx without a body
     * counts as an error ("no-answer").
     */
    QUERY;

    static BenchMode parse(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }

    String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}

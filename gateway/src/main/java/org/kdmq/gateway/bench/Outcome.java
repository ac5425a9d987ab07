package org.kdmq.gateway.bench;

import java.util.List;

/**
 * How one bench message ended.
 *
 * @param okReplies   2xx replies (each one KDMQ request delivered)
 * @param errors      the status of every reply that was not 2xx ("408", "503", ...), or why nothing was sent
 * @param completedAt when the last reply arrived, on the generator's clock
 */
record Outcome(int okReplies, List<String> errors, long completedAt) {
    Outcome {
        errors = List.copyOf(errors);
    }

    /** Delivered: at least one node got it and every node answered 2xx. */
    boolean delivered() {
        return errors.isEmpty() && okReplies > 0;
    }

    static Outcome failed(String why, long completedAt) {
        return new Outcome(0, List.of(why), completedAt);
    }
}

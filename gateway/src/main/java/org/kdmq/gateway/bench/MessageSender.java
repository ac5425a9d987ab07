package org.kdmq.gateway.bench;

import java.util.List;
import java.util.function.Consumer;

/** Sends one bench message. Called from the generator's thread only; must not block. */
interface MessageSender {
    /** Sends; {@code done} gets the outcome exactly once, on whatever thread the last reply arrives. */
    void send(Consumer<Outcome> done);

    /** Spreads messages over several senders (one per sender node), in turn. */
    static MessageSender roundRobin(List<MessageSender> senders) {
        if (senders.size() == 1) {
            return senders.get(0);
        }
        List<MessageSender> all = List.copyOf(senders);
        return new MessageSender() {
            private int next; // only the generator's thread sends

            @Override
            public void send(Consumer<Outcome> done) {
                MessageSender sender = all.get(next);
                next = (next + 1) % all.size();
                sender.send(done);
            }
        };
    }
}

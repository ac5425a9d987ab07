package org.kdmq.bridge.query;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.kdmq.gateway.api.NodeReply;

/**
 * Collects the replies to one broadcast. Replies may arrive before the sender knows how many nodes it
 * asked, so the count is set apart ({@link #expect}) and completion is checked on both sides.
 */
final class ReplyGather {
    private final boolean firstSuccessWins;
    private final List<NodeReply> replies = new ArrayList<>();
    private final CompletableFuture<List<NodeReply>> done = new CompletableFuture<>();
    private int expected = -1;

    /** @param firstSuccessWins complete on the first 2xx; otherwise only when every node answered */
    ReplyGather(boolean firstSuccessWins) {
        this.firstSuccessWins = firstSuccessWins;
    }

    CompletableFuture<List<NodeReply>> done() {
        return done;
    }

    synchronized void add(NodeReply reply) {
        replies.add(reply);
        if (firstSuccessWins && reply.isSuccess()) {
            done.complete(List.of(reply));
        }
        check();
    }

    synchronized void expect(int count) {
        expected = count;
        check();
    }

    /** What has arrived so far (for a collect that times out). */
    synchronized List<NodeReply> soFar() {
        return List.copyOf(replies);
    }

    private void check() {
        if (expected >= 0 && replies.size() >= expected) {
            done.complete(List.copyOf(replies));
        }
    }
}

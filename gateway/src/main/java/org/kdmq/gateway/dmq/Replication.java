package org.kdmq.gateway.dmq;

import org.kdmq.gateway.api.NodeAddress;
import org.kdmq.gateway.sip.message.HeaderNames;
import org.kdmq.gateway.sip.message.SipRequest;

/** dmq_t_replicate's per-node copy: Request-URI set to the node's URI, Max-Forwards decremented. */
final class Replication {
    private Replication() {
    }

    static SipRequest forwardCopy(SipRequest request, NodeAddress node) {
        int maxForwards = request.maxForwards().orElse(70);
        return request.toBuilder()
                .requestUri(node.toUriString())
                .setHeader(HeaderNames.MAX_FORWARDS, Integer.toString(Math.max(0, maxForwards - 1)))
                .build();
    }
}

package org.kdmq.gateway.api;

import java.util.concurrent.CompletionStage;

/**
 * Receives the KDMQ requests of one channel (Kamailio's peer callback). The returned stage completes
 * with the answer; a null answer, an exception or a failed stage is answered 500 with the reason, never
 * with silence (Kamailio stays silent and lets the sender time out).
 */
@FunctionalInterface
public interface ChannelHandler {
    CompletionStage<DmqResponse> onMessage(DmqMessage message);
}

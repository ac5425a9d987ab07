package org.kdmq.gateway.dmq;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.kdmq.gateway.api.DispatchMode;
import org.kdmq.gateway.api.DmqMessage;
import org.kdmq.gateway.api.DmqResponse;
import org.kdmq.gateway.api.NodeAddress;
import org.kdmq.gateway.api.NodeInfo;
import org.kdmq.gateway.sip.message.NameAddress;
import org.kdmq.gateway.sip.message.SipRequest;
import org.kdmq.gateway.sip.message.SipResponse;
import org.kdmq.gateway.sip.message.SipSyntaxException;
import org.kdmq.gateway.transport.InboundMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Incoming KDMQ requests (Kamailio's dmq_handle_message): checked on the network thread, answered at
 * once when they cannot be handled (404 unknown channel, 400, 413, 483, 403, 503), else queued to the
 * channel's handler and answered with what it returns.
 */
final class RequestDispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(RequestDispatcher.class);

    private final DmqSettings settings;
    private final ChannelRegistry channels;
    private final NodeList nodeList;
    private final Membership membership;
    private final KeyedSerialExecutor ordered;
    private final DmqStats stats;

    RequestDispatcher(DmqSettings settings, ChannelRegistry channels, NodeList nodeList, Membership membership,
                      KeyedSerialExecutor ordered, DmqStats stats) {
        this.settings = settings;
        this.channels = channels;
        this.nodeList = nodeList;
        this.membership = membership;
        this.ordered = ordered;
        this.stats = stats;
    }

    /** Called on a network thread for every new server transaction: check, then queue or answer. */
    void onRequest(SipEndpoint.IncomingRequest incoming) {
        SipRequest request = incoming.request();
        InboundMessage inbound = incoming.inbound();
        if (!KdmqMessages.METHOD.equalsIgnoreCase(request.method())) {
            answerOtherMethod(incoming);
            return;
        }
        String channelName;
        int maxForwards;
        try {
            channelName = request.requestUri().user();
            maxForwards = request.maxForwards().orElse(70);
        } catch (SipSyntaxException e) {
            reject(incoming, 400, "Bad Request (" + e.getMessage() + ")");
            return;
        }
        String problem = channels.validateName(channelName);
        if (problem != null) {
            reject(incoming, 400, problem);
            return;
        }
        if (maxForwards <= 0) {
            reject(incoming, 483, "Too Many Hops");
            return;
        }
        if (request.bodyLength() > settings.maxBodySize()) {
            reject(incoming, 413, "Request Entity Too Large");
            return;
        }
        if (settings.onlyFromKnownNodes() && !membership.isKnownSource(inbound.remote().getAddress())) {
            reject(incoming, 403, "Forbidden (not a cluster node)");
            return;
        }
        ChannelRegistry.Channel channel = channels.find(channelName);
        if (channel == null) {
            // Kamailio 5.6 answers exactly this (6.x: "Not Found Peer ID").
            reject(incoming, 404, "User Not Found");
            return;
        }
        NodeInfo sender = senderOf(request, inbound);
        DmqMessage message = new DmqMessage(channelName, request.body(),
                request.contentType().orElse(null), sender, inbound.remote(), inbound.transport(), maxForwards,
                request.callId(), KdmqMessages.acceptsReplyBody(request), KdmqMessages.meta(request));
        stats.requestReceived(channelName);
        Object from = sender != null ? sender.address() : inbound.remote();
        if (!dispatch(channel, from, () -> call(channel, message).thenAccept(r -> answer(incoming, channel, message, r)))) {
            reject(incoming, 503, WORKER_QUEUE_FULL);
        }
    }

    /**
     * A request this node sends to itself: straight to the handler, without encoding, a socket and two
     * transactions; same dispatch (PROCESS inline, HANDLE in the sender's lane) and the same answers.
     */
    CompletableFuture<DmqResponse> onLocalRequest(DmqMessage message) {
        ChannelRegistry.Channel channel = channels.find(message.channel());
        if (channel == null) {
            return CompletableFuture.completedFuture(DmqResponse.error(404, "User Not Found"));
        }
        stats.requestReceived(message.channel());
        CompletableFuture<DmqResponse> result = new CompletableFuture<>();
        if (!dispatch(channel, message.sender().address(), () -> call(channel, message).thenAccept(result::complete))) {
            result.complete(DmqResponse.error(503, WORKER_QUEUE_FULL));
        }
        return result;
    }

    private static final String WORKER_QUEUE_FULL = "Service Unavailable (worker queue full)";

    /**
     * Runs a handler task inline (PROCESS) or in the lane of its sender and channel (HANDLE); false when
     * the lane's queue is full.
     */
    private boolean dispatch(ChannelRegistry.Channel channel, Object sender, Runnable task) {
        if (channel.mode() == DispatchMode.PROCESS) {
            task.run();
            return true;
        }
        try {
            return ordered.submit(List.of(sender, channel.name()), task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return false;
        }
    }

    /**
     * The handler's answer. A handler that throws, fails or answers nothing gets a 500 with the reason,
     * never silence.
     */
    private static CompletableFuture<DmqResponse> call(ChannelRegistry.Channel channel, DmqMessage message) {
        CompletionStage<DmqResponse> stage;
        try {
            stage = channel.handler().onMessage(message);
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        if (stage == null) {
            stage = CompletableFuture.completedFuture(null);
        }
        return stage.toCompletableFuture().handle((response, error) -> {
            if (error != null) {
                Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                LOG.warn("event=handler_failed channel={} call_id={} error={}", message.channel(), message.callId(),
                        cause.toString());
                return DmqResponse.error(500, "Server Internal Error (" + oneLine(cause.getMessage()) + ")");
            }
            return response != null ? response
                    : DmqResponse.error(500, "Server Internal Error (channel handler gave no answer)");
        });
    }

    private void answer(SipEndpoint.IncomingRequest incoming, ChannelRegistry.Channel channel, DmqMessage message,
                        DmqResponse response) {
        byte[] body = response.body();
        boolean isNotification = channel.name().equals(settings.notificationChannel());
        // Kamailio 5.6 parses the body of every 200 to its DMQ requests as a node list and locks up on
        // anything else: only the notification channel (a node list) and our own nodes get a body.
        if (body.length > 0 && !isNotification && !message.acceptsReplyBody()) {
            body = new byte[0];
        }
        SipResponse sip = KdmqMessages.response(incoming.request(), response.statusCode(), response.reason(), body,
                response.contentType());
        stats.responseSent(message.channel(), response.statusCode());
        incoming.respond(sip);
    }

    private void reject(SipEndpoint.IncomingRequest incoming, int code, String reason) {
        stats.rejected(code);
        incoming.respond(KdmqMessages.response(incoming.request(), code, reason, null, null));
    }

    private void answerOtherMethod(SipEndpoint.IncomingRequest incoming) {
        String method = incoming.request().method();
        if ("ACK".equalsIgnoreCase(method)) {
            return;
        }
        SipResponse.Builder b;
        if ("OPTIONS".equalsIgnoreCase(method)) {
            b = KdmqMessages.response(incoming.request(), 200, "OK", null, null).toBuilder();
        } else {
            b = KdmqMessages.response(incoming.request(), 405, "Method Not Allowed", null, null).toBuilder();
        }
        incoming.respond(b.header("Allow", "KDMQ, OPTIONS").build());
    }

    /** The node a request came from: its From URI names the sender's server_address (Kamailio's rule). */
    private NodeInfo senderOf(SipRequest request, InboundMessage inbound) {
        try {
            NameAddress from = request.from();
            if (from != null) {
                NodeAddress address = NodeAddress.fromUri(from.uri());
                NodeInfo node = nodeList.find(address, false).orElse(null);
                if (node != null) {
                    return node;
                }
            }
        } catch (RuntimeException e) {
            LOG.debug("event=unparsable_from call_id={} error={}", request.callId(), e.toString());
        }
        return null;
    }

    private static String oneLine(String s) {
        if (s == null) {
            return "no detail";
        }
        String flat = s.replaceAll("[\\r\\n]+", " ");
        return flat.length() > 120 ? flat.substring(0, 120) : flat;
    }

}

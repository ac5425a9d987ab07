package org.kdmq.gateway.dmq;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;
import org.kdmq.gateway.api.NodeAddress;
import org.kdmq.gateway.sip.message.HeaderNames;
import org.kdmq.gateway.sip.message.NameAddress;
import org.kdmq.gateway.sip.message.SipRequest;
import org.kdmq.gateway.sip.message.SipResponse;

/**
 * Builds KDMQ requests and their answers in the shape Kamailio sends them (dmq_send_message + tm):
 * header order Via (added by the transaction layer), To, From, CSeq, Call-ID, Content-Length,
 * User-Agent, Max-Forwards, Content-Type; CSeq 10; a new Call-ID and From tag per request.
 */
public final class KdmqMessages {
    public static final String METHOD = "KDMQ";
    /** Option tag our nodes put in Supported: "a body in your 200 is fine". Kamailio never sends it. */
    public static final String REPLY_BODY_OPTION = "kdmq-reply-body";
    public static final String PRODUCT = "kdmq-gateway";
    public static final String VERSION = versionOf();

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String CALL_ID_PREFIX = HexFormat.of().formatHex(randomBytes(6));
    private static final AtomicLong SEQUENCE = new AtomicLong(RANDOM.nextInt(1 << 20));

    private KdmqMessages() {
    }

    private static String versionOf() {
        String v = KdmqMessages.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    private static final String USER_AGENT = PRODUCT + " (" + VERSION + ")";

    /** One shared string: it is in every request and answer we make, some of them kept for timer J. */
    public static String userAgent() {
        return USER_AGENT;
    }

    /** Prefix of the headers that carry {@link org.kdmq.gateway.api.DmqMessage#meta()} between our nodes. */
    public static final String META_PREFIX = "X-KDMQ-";

    /** A KDMQ request from {@code self} to {@code node} on a channel. */
    public static SipRequest request(String channel, NodeAddress self, NodeAddress node, byte[] body,
                                     String contentType, int maxForwards, String callIdHost) {
        return request(channel, self, node, body, contentType, maxForwards, callIdHost, java.util.Map.of());
    }

    /** The same, with metadata as {@code X-KDMQ-Name: value} headers after Kamailio's own. */
    public static SipRequest request(String channel, NodeAddress self, NodeAddress node, byte[] body,
                                     String contentType, int maxForwards, String callIdHost,
                                     java.util.Map<String, String> meta) {
        SipRequest.Builder b = requestBuilder(channel, self, node, body, contentType, maxForwards, callIdHost);
        meta.forEach((k, v) -> b.header(META_PREFIX + k, v));
        return b.build();
    }

    /** The metadata headers of a request, names lower-cased without the prefix. */
    public static java.util.Map<String, String> meta(SipRequest request) {
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        for (org.kdmq.gateway.sip.message.SipHeader h : request.headers().asList()) {
            if (h.name().regionMatches(true, 0, META_PREFIX, 0, META_PREFIX.length())) {
                out.put(h.name().substring(META_PREFIX.length()).toLowerCase(java.util.Locale.ROOT), h.value());
            }
        }
        return out;
    }

    private static SipRequest.Builder requestBuilder(String channel, NodeAddress self, NodeAddress node, byte[] body,
                                                     String contentType, int maxForwards, String callIdHost) {
        String to = node.channelUri(channel);
        return SipRequest.builder(METHOD, to)
                .header(HeaderNames.TO, "<" + to + ">")
                .header(HeaderNames.FROM, "<" + self.channelUri(channel) + ">;tag=" + randomToken())
                .header(HeaderNames.CSEQ, "10 " + METHOD)
                .header(HeaderNames.CALL_ID, newCallId(callIdHost))
                .header(HeaderNames.CONTENT_LENGTH, Integer.toString(body.length))
                .header(HeaderNames.USER_AGENT, userAgent())
                .header(HeaderNames.MAX_FORWARDS, Integer.toString(maxForwards))
                .header(HeaderNames.CONTENT_TYPE, contentType == null || contentType.isEmpty() ? "text/plain" : contentType)
                .header(HeaderNames.SUPPORTED, REPLY_BODY_OPTION)
                .body(body);
    }

    /** An answer as Kamailio's sl sends it: copied Via/To/From/CSeq/Call-ID, a To tag, Server. */
    public static SipResponse response(SipRequest request, int code, String reason, byte[] body, String contentType) {
        SipResponse.Builder b = SipResponse.to(request, code, reason);
        request.header(HeaderNames.TO).ifPresent(to -> {
            if (!NameAddress.hasTag(to)) {
                b.setHeader(HeaderNames.TO, to + ";tag=" + randomToken());
            }
        });
        if (body != null && body.length > 0) {
            b.header(HeaderNames.CONTENT_TYPE, contentType == null ? "text/plain" : contentType);
            b.body(body);
        }
        b.header(HeaderNames.SERVER, userAgent());
        return b.build();
    }

    /** Whether the requester is one of our nodes and can take a body in a 200 to a channel request. */
    public static boolean acceptsReplyBody(SipRequest request) {
        for (String supported : request.headers().all(HeaderNames.SUPPORTED)) {
            for (String tag : supported.split(",")) {
                if (tag.trim().equalsIgnoreCase(REPLY_BODY_OPTION)) {
                    return true;
                }
            }
        }
        return false;
    }

    static String newCallId(String host) {
        return CALL_ID_PREFIX + "-" + Long.toHexString(SEQUENCE.incrementAndGet()) + "@" + host;
    }

    /** Tags need uniqueness, not secrecy: a thread-local generator keeps this off any lock. */
    static String randomToken() {
        return Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

}

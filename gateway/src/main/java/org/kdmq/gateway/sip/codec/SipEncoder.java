package org.kdmq.gateway.sip.codec;

import java.nio.charset.StandardCharsets;
import org.kdmq.gateway.sip.message.HeaderNames;
import org.kdmq.gateway.sip.message.SipHeader;
import org.kdmq.gateway.sip.message.SipMessage;
import org.kdmq.gateway.sip.message.SipRequest;
import org.kdmq.gateway.sip.message.SipResponse;

/**
 * Writes the canonical form Kamailio accepts: CRLF line ends, headers in order, Content-Length always
 * present and equal to the body length (an existing one is corrected in place, else one is appended).
 */
public final class SipEncoder {
    private SipEncoder() {
    }

    public static byte[] encode(SipMessage message) {
        StringBuilder head = new StringBuilder(512);
        if (message instanceof SipRequest r) {
            head.append(r.method()).append(' ').append(r.requestUriText()).append(' ').append(SipMessage.SIP_VERSION);
        } else {
            SipResponse r = (SipResponse) message;
            head.append(SipMessage.SIP_VERSION).append(' ').append(r.statusCode()).append(' ').append(r.reasonPhrase());
        }
        head.append("\r\n");
        String length = Integer.toString(message.bodyLength());
        boolean lengthWritten = false;
        for (SipHeader h : message.headers().asList()) {
            if (h.hasName(HeaderNames.CONTENT_LENGTH)) {
                if (lengthWritten) {
                    continue; // one Content-Length only
                }
                head.append(HeaderNames.CONTENT_LENGTH).append(": ").append(length).append("\r\n");
                lengthWritten = true;
            } else {
                head.append(h.name()).append(": ").append(h.value()).append("\r\n");
            }
        }
        if (!lengthWritten) {
            head.append(HeaderNames.CONTENT_LENGTH).append(": ").append(length).append("\r\n");
        }
        head.append("\r\n");
        byte[] headBytes = head.toString().getBytes(StandardCharsets.UTF_8);
        byte[] body = message.body();
        byte[] out = new byte[headBytes.length + body.length];
        System.arraycopy(headBytes, 0, out, 0, headBytes.length);
        System.arraycopy(body, 0, out, headBytes.length, body.length);
        return out;
    }
}

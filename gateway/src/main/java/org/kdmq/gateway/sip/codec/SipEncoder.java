package org.kdmq.gateway.sip.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.List;
import org.kdmq.gateway.sip.message.HeaderNames;
import org.kdmq.gateway.sip.message.SipHeader;
import org.kdmq.gateway.sip.message.SipMessage;
import org.kdmq.gateway.sip.message.SipRequest;
import org.kdmq.gateway.sip.message.SipResponse;

/**
 * Writes the canonical form Kamailio accepts: CRLF line ends, headers in order, Content-Length always
 * present and equal to the body length (an existing one is corrected in place, else one is appended).
 * It writes straight into the buffer the transport sends (no text copy, no byte[] in between); a
 * buffer is memory, not I/O, so the codec stays free of channels as its parser is.
 */
public final class SipEncoder {
    private static final short CRLF = ('\r' << 8) | '\n';
    private static final short COLON_SPACE = (':' << 8) | ' ';

    private SipEncoder() {
    }

    /** The message in a buffer from {@code allocator}, sized for it; the caller owns (and releases) it. */
    public static ByteBuf encode(SipMessage message, ByteBufAllocator allocator) {
        ByteBuf out = allocator.ioBuffer(estimatedSize(message));
        try {
            encode(message, out);
            return out;
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
    }

    /** The message as bytes (tests, fixtures). */
    public static byte[] encode(SipMessage message) {
        ByteBuf out = Unpooled.buffer(estimatedSize(message));
        encode(message, out);
        return ByteBufUtil.getBytes(out);
    }

    static void encode(SipMessage message, ByteBuf out) {
        if (message instanceof SipRequest r) {
            ByteBufUtil.writeAscii(out, r.method());
            out.writeByte(' ');
            ByteBufUtil.writeUtf8(out, r.requestUriText());
            out.writeByte(' ');
            ByteBufUtil.writeAscii(out, SipMessage.SIP_VERSION);
        } else {
            SipResponse r = (SipResponse) message;
            ByteBufUtil.writeAscii(out, SipMessage.SIP_VERSION);
            out.writeByte(' ');
            writeNumber(out, r.statusCode());
            out.writeByte(' ');
            ByteBufUtil.writeUtf8(out, r.reasonPhrase());
        }
        out.writeShort(CRLF);
        boolean lengthWritten = false;
        for (SipHeader h : message.headers().asList()) {
            if (h.hasName(HeaderNames.CONTENT_LENGTH)) {
                if (!lengthWritten) { // one Content-Length only, and the true one
                    writeContentLength(out, message.bodyLength());
                    lengthWritten = true;
                }
            } else {
                ByteBufUtil.writeAscii(out, h.name());
                out.writeShort(COLON_SPACE);
                ByteBufUtil.writeUtf8(out, h.value());
                out.writeShort(CRLF);
            }
        }
        if (!lengthWritten) {
            writeContentLength(out, message.bodyLength());
        }
        out.writeShort(CRLF);
        out.writeBytes(message.bodyView());
    }

    private static void writeContentLength(ByteBuf out, int length) {
        ByteBufUtil.writeAscii(out, HeaderNames.CONTENT_LENGTH);
        out.writeShort(COLON_SPACE);
        writeNumber(out, length);
        out.writeShort(CRLF);
    }

    private static void writeNumber(ByteBuf out, int value) {
        ByteBufUtil.writeAscii(out, Integer.toString(value));
    }

    /** Exact for ASCII text (nearly all SIP); a longer UTF-8 value only makes the buffer grow once. */
    private static int estimatedSize(SipMessage message) {
        int size = 64 + message.bodyLength();
        if (message instanceof SipRequest r) {
            size += r.method().length() + r.requestUriText().length();
        } else {
            size += ((SipResponse) message).reasonPhrase().length();
        }
        List<SipHeader> headers = message.headers().asList();
        for (int i = 0; i < headers.size(); i++) {
            SipHeader h = headers.get(i);
            size += h.name().length() + h.value().length() + 4;
        }
        return size;
    }
}

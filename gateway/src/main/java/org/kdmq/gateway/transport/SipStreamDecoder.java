package org.kdmq.gateway.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import org.kdmq.gateway.sip.codec.SipLimits;
import org.kdmq.gateway.sip.codec.SipParseException;
import org.kdmq.gateway.sip.codec.SipParser;
import org.kdmq.gateway.sip.codec.SipStreamFramer;
import org.kdmq.gateway.sip.message.SipMessage;
import org.kdmq.gateway.sip.message.SipRequest;

/**
 * Frames a TCP/TLS stream by Content-Length with {@link SipStreamFramer} and parses each frame with
 * {@link SipParser}. Skips CRLF keep-alives and answers a double-CRLF ping with a CRLF pong (RFC 5626
 * section 3.5.1). A frame it cannot resynchronise after is emitted as a fatal failure, and the rest of
 * the stream is discarded.
 */
final class SipStreamDecoder extends ByteToMessageDecoder {
    private static final byte[] PONG = {'\r', '\n'};
    /** Most DMQ messages fit: one copy of this size, or less, per message. */
    private static final int PROBE_BYTES = 4096;
    private final SipLimits limits;
    private boolean broken;

    SipStreamDecoder(SipLimits limits) {
        this.limits = limits;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (broken) {
            in.skipBytes(in.readableBytes());
            return;
        }
        while (in.isReadable()) {
            int keepAlive = countLeadingCrLf(in);
            if (keepAlive > 0) {
                if (keepAlive >= 4 && isDoubleCrLf(in)) {
                    ctx.writeAndFlush(Unpooled.wrappedBuffer(PONG));
                }
                if (keepAlive == in.readableBytes() && in.getByte(in.writerIndex() - 1) == '\r') {
                    // A CR at the end might be the start of a CRLF pair still to come.
                    in.skipBytes(keepAlive - 1);
                    return;
                }
                in.skipBytes(keepAlive);
                continue;
            }
            int window = Math.min(in.readableBytes(), limits.maxMessageSize() + 1);
            // Copy a first slice, and more only when the message needs it: copying the whole window for
            // each frame cost a copy of everything buffered behind it, per message.
            int probe = Math.min(window, PROBE_BYTES);
            byte[] bytes = ByteBufUtil.getBytes(in, in.readerIndex(), probe, false);
            int frame;
            try {
                frame = SipStreamFramer.messageLength(bytes, 0, probe, limits);
                if (frame < 0 && probe < window) { // a header section longer than the probe
                    bytes = ByteBufUtil.getBytes(in, in.readerIndex(), window, false);
                    frame = SipStreamFramer.messageLength(bytes, 0, window, limits);
                }
            } catch (SipParseException e) {
                broken = true;
                byte[] all = ByteBufUtil.getBytes(in, in.readerIndex(), window, false);
                out.add(DecodedFrame.failed(withPartialRequest(e, all, window), null, null, true));
                in.skipBytes(in.readableBytes());
                return;
            }
            if (frame < 0 || frame > in.readableBytes()) {
                return; // need more bytes
            }
            if (frame > bytes.length) {
                bytes = ByteBufUtil.getBytes(in, in.readerIndex(), frame, false);
            }
            in.skipBytes(frame);
            try {
                out.add(DecodedFrame.ok(SipParser.parse(bytes, 0, frame, limits), null, null));
            } catch (SipParseException e) {
                out.add(DecodedFrame.failed(e, null, null, false)); // framed, so the stream stays in step
            }
        }
    }

    /** For a framing error, parse the header section so a 400 can still name the request. */
    private SipParseException withPartialRequest(SipParseException e, byte[] bytes, int length) {
        int headerEnd = headerSectionLength(bytes, length);
        if (headerEnd < 0) {
            return e;
        }
        SipRequest request;
        try {
            SipMessage headersOnly = SipParser.parse(bytes, 0, headerEnd, limits);
            request = headersOnly instanceof SipRequest r ? r.toBuilder().body(new byte[0]).build() : null;
        } catch (SipParseException parsed) {
            request = parsed.partialRequest().orElse(null);
        }
        return request == null ? e : new SipParseException(e.reason(), e.lineNumber(), request);
    }

    private static int headerSectionLength(byte[] bytes, int length) {
        for (int i = 0; i + 3 < length; i++) {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n' && bytes[i + 2] == '\r' && bytes[i + 3] == '\n') {
                return i + 4;
            }
        }
        return -1;
    }

    private static int countLeadingCrLf(ByteBuf in) {
        int n = 0;
        for (int i = in.readerIndex(); i < in.writerIndex(); i++) {
            byte b = in.getByte(i);
            if (b != '\r' && b != '\n') {
                break;
            }
            n++;
        }
        return n;
    }

    private static boolean isDoubleCrLf(ByteBuf in) {
        int i = in.readerIndex();
        return in.getByte(i) == '\r' && in.getByte(i + 1) == '\n' && in.getByte(i + 2) == '\r' && in.getByte(i + 3) == '\n';
    }
}

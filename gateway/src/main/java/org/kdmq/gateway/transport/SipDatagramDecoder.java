package org.kdmq.gateway.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.MessageToMessageDecoder;
import java.util.List;
import org.kdmq.gateway.sip.codec.SipLimits;
import org.kdmq.gateway.sip.codec.SipParseException;
import org.kdmq.gateway.sip.codec.SipParser;

/** One datagram, one message: copies the bytes out (no refcounts downstream) and parses them. */
@ChannelHandler.Sharable
final class SipDatagramDecoder extends MessageToMessageDecoder<DatagramPacket> {
    private final SipLimits limits;

    SipDatagramDecoder(SipLimits limits) {
        this.limits = limits;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, DatagramPacket packet, List<Object> out) {
        ByteBuf content = packet.content();
        if (isKeepAlive(content)) {
            return; // RFC 5626 CRLF keep-alive on UDP: nothing to answer
        }
        byte[] bytes = ByteBufUtil.getBytes(content);
        try {
            out.add(DecodedFrame.ok(SipParser.parse(bytes, 0, bytes.length, limits), packet.sender(), packet.recipient()));
        } catch (SipParseException e) {
            out.add(DecodedFrame.failed(e, packet.sender(), packet.recipient(), false));
        }
    }

    private static boolean isKeepAlive(ByteBuf content) {
        for (int i = content.readerIndex(); i < content.writerIndex(); i++) {
            byte b = content.getByte(i);
            if (b != '\r' && b != '\n') {
                return false;
            }
        }
        return true;
    }
}

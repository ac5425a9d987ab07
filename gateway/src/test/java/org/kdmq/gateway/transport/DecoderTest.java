package org.kdmq.gateway.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.kdmq.gateway.sip.Fixtures;
import org.kdmq.gateway.sip.codec.SipLimits;
import org.kdmq.gateway.sip.codec.SipParser;
import org.kdmq.gateway.sip.message.SipMessage;

/** The Netty decoders on EmbeddedChannels: framing, keep-alives, failures, nothing left buffered. */
class DecoderTest {

    private static List<SipMessage> drain(EmbeddedChannel ch) {
        List<SipMessage> out = new ArrayList<>();
        for (Object o; (o = ch.readInbound()) != null; ) {
            DecodedFrame f = (DecodedFrame) o;
            assertNull(f.error(), () -> String.valueOf(f.error()));
            out.add(f.message());
        }
        return out;
    }

    @Test
    void tcpRecordingsByteByByteGiveTheSameMessagesAsWhole() throws Exception {
        for (Map.Entry<String, byte[]> stream : Fixtures.tcpStreams("three-nodes-tcp").entrySet()) {
            byte[] bytes = stream.getValue();
            EmbeddedChannel whole = new EmbeddedChannel(new SipStreamDecoder(SipLimits.defaults()));
            whole.writeInbound(Unpooled.wrappedBuffer(bytes));
            List<SipMessage> expected = drain(whole);
            assertFalse(expected.isEmpty());
            EmbeddedChannel bytewise = new EmbeddedChannel(new SipStreamDecoder(SipLimits.defaults()));
            for (byte b : bytes) {
                bytewise.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
            }
            assertEquals(expected, drain(bytewise), stream.getKey());
            assertFalse(whole.finish());
            assertFalse(bytewise.finish(), "nothing left buffered");
        }
    }

    @Test
    void doubleCrlfIsAnsweredWithAPongAndSkipped() throws Exception {
        EmbeddedChannel ch = new EmbeddedChannel(new SipStreamDecoder(SipLimits.defaults()));
        byte[] msg = Fixtures.read("htable-set-and-bcast", "01-kdmq.sip");
        ByteBuf in = Unpooled.buffer();
        in.writeBytes("\r\n\r\n".getBytes(StandardCharsets.US_ASCII)).writeBytes(msg);
        ch.writeInbound(in);
        ByteBuf pong = ch.readOutbound();
        assertEquals("\r\n", pong.toString(StandardCharsets.US_ASCII));
        pong.release();
        assertEquals(List.of(SipParser.parse(msg)), drain(ch));
        assertFalse(ch.finish());
    }

    @Test
    void anUnframeableStreamIsReportedOnceAndTheRestDiscarded() {
        SipLimits small = new SipLimits(1024, 64, 512, 1024);
        EmbeddedChannel ch = new EmbeddedChannel(new SipStreamDecoder(small));
        byte[] noEnd = new byte[4096];
        Arrays.fill(noEnd, (byte) 'x');
        ch.writeInbound(Unpooled.wrappedBuffer(noEnd));
        DecodedFrame failure = ch.readInbound();
        assertTrue(failure.fatal());
        assertTrue(failure.error().reason().startsWith("Header section too large"), failure.error().reason());
        ch.writeInbound(Unpooled.wrappedBuffer("more bytes\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
        assertNull(ch.readInbound(), "after a fatal framing error the stream is not read any further");
        ch.finishAndReleaseAll();
    }

    @Test
    void manyFramesInOneReadAndHeaderSectionsLargerThanTheFirstCopyAllDecode() throws Exception {
        String big = "x".repeat(6000); // a header line past the decoder's first 4 KiB copy
        String body = "y".repeat(3000);
        byte[] large = ("KDMQ sip:c@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1;branch=z9hG4bKbig\r\n"
                + "From: <sip:c@127.0.0.1>;tag=1\r\nTo: <sip:c@127.0.0.1>\r\nCall-ID: big\r\nCSeq: 10 KDMQ\r\n"
                + "X-Padding: " + big + "\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
                .getBytes(StandardCharsets.US_ASCII);
        byte[] small = Fixtures.read("htable-set-and-bcast", "01-kdmq.sip");
        ByteBuf in = Unpooled.buffer();
        List<SipMessage> expected = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            byte[] m = i % 10 == 3 ? large : small;
            in.writeBytes(m);
            expected.add(SipParser.parse(m));
        }
        EmbeddedChannel whole = new EmbeddedChannel(new SipStreamDecoder(SipLimits.defaults()));
        whole.writeInbound(in.copy());
        assertEquals(expected, drain(whole));
        // The same stream in uneven pieces: every boundary falls somewhere different.
        EmbeddedChannel pieces = new EmbeddedChannel(new SipStreamDecoder(SipLimits.defaults()));
        while (in.isReadable()) {
            pieces.writeInbound(in.readRetainedSlice(Math.min(in.readableBytes(), 1777)));
        }
        in.release();
        assertEquals(expected, drain(pieces));
        assertFalse(whole.finish());
        assertFalse(pieces.finish(), "nothing left buffered");
    }

    @Test
    void datagramsParseOneEachAndGarbageBecomesAFailedFrame() throws Exception {
        EmbeddedChannel ch = new EmbeddedChannel(new SipDatagramDecoder(SipLimits.defaults()));
        InetSocketAddress from = new InetSocketAddress("127.0.0.1", 5290);
        InetSocketAddress to = new InetSocketAddress("127.0.0.1", 5291);
        byte[] msg = Fixtures.read("htable-set-and-bcast", "02-kdmq.sip");
        ch.writeInbound(new DatagramPacket(Unpooled.wrappedBuffer(msg), to, from));
        ch.writeInbound(new DatagramPacket(Unpooled.wrappedBuffer("\r\n\r\n".getBytes()), to, from));
        ch.writeInbound(new DatagramPacket(Unpooled.wrappedBuffer(new byte[] {0, 1, 2}), to, from));
        DecodedFrame ok = ch.readInbound();
        assertEquals(SipParser.parse(msg), ok.message());
        assertEquals(from, ok.sender());
        DecodedFrame bad = ch.readInbound();
        assertTrue(bad.error() != null && !bad.fatal());
        assertNull(ch.readInbound(), "a CRLF keep-alive datagram produces nothing");
        assertFalse(ch.finish());
    }
}

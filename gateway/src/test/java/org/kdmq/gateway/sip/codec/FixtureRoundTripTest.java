package org.kdmq.gateway.sip.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.kdmq.gateway.sip.Fixtures;
import org.kdmq.gateway.sip.message.SipMessage;

/**
 * Every recorded Kamailio message parses, re-encodes to the same bytes (Kamailio's encoding is already
 * canonical), and survives the stream framer split at every byte offset.
 */
class FixtureRoundTripTest {

    @Test
    void everyUdpFixtureParsesAndReencodesToTheSameBytes() throws Exception {
        int count = 0;
        for (Fixtures.Packet p : Fixtures.all()) {
            if (!p.proto().equals("udp")) {
                continue;
            }
            SipMessage m = SipParser.parse(p.bytes());
            byte[] encoded = SipEncoder.encode(m);
            assertEquals(m, SipParser.parse(encoded), p.name());
            assertArrayEquals(p.bytes(), encoded, p.name());
            count++;
        }
        assertTrue(count > 200, "UDP fixtures: " + count);
    }

    @Test
    void everyTcpStreamFramesIntoMessagesThatRoundTrip() throws Exception {
        int messages = 0;
        for (Map.Entry<String, byte[]> stream : Fixtures.tcpStreams("three-nodes-tcp").entrySet()) {
            List<SipMessage> framed = frameAll(stream.getValue(), stream.getValue().length);
            assertTrue(!framed.isEmpty(), stream.getKey());
            for (SipMessage m : framed) {
                assertEquals(m, SipParser.parse(SipEncoder.encode(m)), stream.getKey());
            }
            messages += framed.size();
        }
        assertTrue(messages > 30, "TCP messages: " + messages);
    }

    @Test
    void framingIsTheSameAtEveryChunkSize() throws Exception {
        for (Map.Entry<String, byte[]> stream : Fixtures.tcpStreams("three-nodes-tcp").entrySet()) {
            byte[] bytes = stream.getValue();
            List<SipMessage> whole = frameAll(bytes, bytes.length);
            for (int chunk = 1; chunk <= 64; chunk++) {
                assertEquals(whole, frameAll(bytes, chunk), stream.getKey() + " in chunks of " + chunk);
            }
        }
    }

    @Test
    void everyFixtureSplitAtEveryOffsetFramesToTheSameMessage() throws Exception {
        for (Fixtures.Packet p : Fixtures.packets("htable-set-and-bcast")) {
            byte[] bytes = p.bytes();
            SipMessage expected = SipParser.parse(bytes);
            for (int split = 1; split < bytes.length; split++) {
                Accumulator acc = new Accumulator();
                acc.feed(bytes, 0, split);
                acc.feed(bytes, split, bytes.length - split);
                assertEquals(List.of(expected), acc.messages, p.name() + " split at " + split);
            }
        }
    }

    @Test
    void keepAlivesBetweenMessagesAreSkipped() throws Exception {
        byte[] a = Fixtures.read("htable-set-and-bcast", "01-kdmq.sip");
        byte[] b = Fixtures.read("htable-set-and-bcast", "03-sip_2.0.sip");
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.writeBytes("\r\n\r\n".getBytes());
        out.writeBytes(a);
        out.writeBytes("\r\n\r\n\r\n".getBytes());
        out.writeBytes(b);
        out.writeBytes("\r\n".getBytes());
        List<SipMessage> framed = frameAll(out.toByteArray(), 7);
        assertEquals(List.of(SipParser.parse(a), SipParser.parse(b)), framed);
    }

    /** Feeds a stream in chunks through the framer, as the Netty stream decoder does. */
    static List<SipMessage> frameAll(byte[] stream, int chunk) throws SipParseException {
        Accumulator acc = new Accumulator();
        for (int i = 0; i < stream.length; i += chunk) {
            acc.feed(stream, i, Math.min(chunk, stream.length - i));
        }
        assertEquals(0, acc.pendingNonKeepAlive(), "bytes left over");
        return acc.messages;
    }

    static final class Accumulator {
        final List<SipMessage> messages = new ArrayList<>();
        private byte[] buffer = new byte[0];

        void feed(byte[] data, int offset, int length) throws SipParseException {
            byte[] joined = new byte[buffer.length + length];
            System.arraycopy(buffer, 0, joined, 0, buffer.length);
            System.arraycopy(data, offset, joined, buffer.length, length);
            int pos = 0;
            while (pos < joined.length) {
                pos += SipStreamFramer.leadingKeepAliveLength(joined, pos, joined.length - pos);
                if (pos >= joined.length) {
                    break;
                }
                int frame = SipStreamFramer.frameLength(joined, pos, joined.length - pos, SipLimits.defaults());
                if (frame < 0) {
                    break;
                }
                messages.add(SipParser.parse(joined, pos, frame, SipLimits.defaults()));
                pos += frame;
            }
            buffer = java.util.Arrays.copyOfRange(joined, pos, joined.length);
        }

        int pendingNonKeepAlive() {
            return buffer.length - SipStreamFramer.leadingKeepAliveLength(buffer, 0, buffer.length);
        }
    }
}

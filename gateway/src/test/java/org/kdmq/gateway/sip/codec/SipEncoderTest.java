package org.kdmq.gateway.sip.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.kdmq.gateway.sip.message.SipMessage;
import org.kdmq.gateway.sip.message.SipRequest;
import org.kdmq.gateway.sip.message.SipResponse;

/** The encoder writes into the transport's pooled buffer: the same bytes as the canonical form, any text. */
class SipEncoderTest {
    private static final SipRequest REQUEST = SipRequest.builder("KDMQ", "sip:chan@127.0.0.1:5060")
            .header("Via", "SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK1")
            .header("From", "\"Zoë Ñandú\" <sip:127.0.0.1:5061>;tag=a")
            .header("To", "<sip:127.0.0.1:5060>")
            .header("Call-ID", "c1")
            .header("CSeq", "10 KDMQ")
            .header("Content-Length", "999") // wrong on purpose: the encoder writes the true one
            .body("héllo".getBytes(StandardCharsets.UTF_8))
            .build();

    @Test
    void aPooledBufferHoldsTheCanonicalBytesUtf8Included() throws Exception {
        String expected = "KDMQ sip:chan@127.0.0.1:5060 SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK1\r\n"
                + "From: \"Zoë Ñandú\" <sip:127.0.0.1:5061>;tag=a\r\n"
                + "To: <sip:127.0.0.1:5060>\r\n"
                + "Call-ID: c1\r\n"
                + "CSeq: 10 KDMQ\r\n"
                + "Content-Length: 6\r\n"
                + "\r\n"
                + "héllo";
        ByteBuf pooled = SipEncoder.encode(REQUEST, PooledByteBufAllocator.DEFAULT);
        try {
            assertEquals(expected, pooled.toString(StandardCharsets.UTF_8));
            SipMessage parsed = SipParser.parse(ByteBufUtil.getBytes(pooled));
            assertEquals(SipParser.parse(SipEncoder.encode(REQUEST)), parsed);
        } finally {
            pooled.release();
        }
    }

    @Test
    void aResponseLongerThanItsEstimateStillComesOutWhole() throws Exception {
        // Multi-byte text makes the ASCII-based size estimate short: the buffer has to grow.
        String reason = "Ünavailable ".repeat(40).trim();
        SipResponse response = SipResponse.to(REQUEST, 503, reason).body(new byte[0]).build();
        ByteBuf pooled = SipEncoder.encode(response, PooledByteBufAllocator.DEFAULT);
        try {
            SipResponse parsed = (SipResponse) SipParser.parse(ByteBufUtil.getBytes(pooled));
            assertEquals(reason, parsed.reasonPhrase());
            assertEquals(503, parsed.statusCode());
            assertEquals(0, parsed.bodyLength());
        } finally {
            pooled.release();
        }
    }
}

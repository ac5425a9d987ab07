package org.kdmq.gateway.sip.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.kdmq.gateway.sip.message.HeaderNames;
import org.kdmq.gateway.sip.message.SipMessage;
import org.kdmq.gateway.sip.message.SipRequest;
import org.kdmq.gateway.sip.message.SipResponse;

class SipParserTest {
    private static final String HEADERS = "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1\r\n"
            + "From: <sip:a@10.0.0.1>;tag=1\r\nTo: <sip:b@10.0.0.2>\r\nCall-ID: c1\r\nCSeq: 1 KDMQ\r\n";

    private static SipMessage parse(String text) throws SipParseException {
        return SipParser.parse(text.getBytes(StandardCharsets.UTF_8));
    }

    private static SipParseException fails(String text) {
        return assertThrows(SipParseException.class, () -> parse(text));
    }

    @Test
    void compactHeadersAreExpanded() throws Exception {
        SipMessage m = parse("KDMQ sip:htable@10.0.0.2 SIP/2.0\r\n"
                + "v: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1\r\nf: <sip:a@10.0.0.1>;tag=1\r\nt: <sip:b@10.0.0.2>\r\n"
                + "i: c1\r\nCSeq: 1 KDMQ\r\nc: text/plain\r\nl: 2\r\nm: <sip:a@10.0.0.1>\r\nk: path\r\ns: hi\r\ne: gzip\r\n\r\nok");
        assertEquals("c1", m.callId());
        assertEquals("text/plain", m.contentType().orElseThrow());
        assertEquals("ok", m.bodyAsString());
        assertEquals("1", m.from().tag());
        assertEquals("10.0.0.1", m.topVia().host());
        assertTrue(m.header("Contact").isPresent());
        assertTrue(m.header("Supported").isPresent());
        assertTrue(m.header("Subject").isPresent());
        assertTrue(m.header("Content-Encoding").isPresent());
        assertEquals("Call-ID", m.headers().asList().get(3).name());
    }

    @Test
    void everySpellingOfANameIsStoredAsItsConstantAndOtherNamesAsSent() throws Exception {
        SipMessage m = parse("KDMQ sip:x@h SIP/2.0\r\n" + HEADERS.replace("Call-ID:", "call-ID :")
                + "Max-Forwards: 70\r\nX-Kdmq-Hop: 1\r\nContent-Length: 0\r\n\r\n");
        java.util.List<String> names = m.headers().asList().stream().map(h -> h.name()).toList();
        assertTrue(names.contains("X-Kdmq-Hop"), names.toString());
        for (String constant : new String[] {HeaderNames.VIA, HeaderNames.CALL_ID, HeaderNames.MAX_FORWARDS,
                HeaderNames.CONTENT_LENGTH}) {
            assertTrue(names.stream().anyMatch(n -> n == constant), constant + " by identity in " + names);
        }
        assertEquals("c1", m.callId());
    }

    @Test
    void foldedHeadersAreJoinedAndLfOnlyIsAccepted() throws Exception {
        SipMessage m = parse("KDMQ sip:x@h SIP/2.0\n" + HEADERS.replace("\r\n", "\n")
                + "Subject: first\n   second\n\tthird\nContent-Length: 0\n\n");
        assertEquals("first second third", m.header("Subject").orElseThrow());
    }

    @Test
    void ipv6ViaAndUris() throws Exception {
        SipRequest r = (SipRequest) parse("KDMQ sip:htable@[2001:db8::2]:5062;transport=tcp SIP/2.0\r\n"
                + "Via: SIP/2.0/TCP [2001:db8::1]:5060;branch=z9hG4bKx;rport\r\n"
                + "From: <sip:htable@[2001:db8::1]:5060>;tag=9\r\nTo: <sip:htable@[2001:db8::2]:5062>\r\n"
                + "Call-ID: v6\r\nCSeq: 10 KDMQ\r\nContent-Length: 0\r\n\r\n");
        assertEquals("[2001:db8::2]", r.requestUri().host());
        assertEquals(5062, r.requestUri().port());
        assertEquals("tcp", r.requestUri().transport());
        assertEquals("[2001:db8::1]", r.topVia().host());
        assertEquals(5060, r.topVia().port());
        assertEquals("", r.topVia().rport());
    }

    @Test
    void datagramBodyIsCutAtContentLengthAndDefaultsToTheRest() throws Exception {
        assertEquals("ab", parse("KDMQ sip:x@h SIP/2.0\r\n" + HEADERS + "Content-Length: 2\r\n\r\nabcdef").bodyAsString());
        assertEquals("abcdef", parse("KDMQ sip:x@h SIP/2.0\r\n" + HEADERS + "\r\nabcdef").bodyAsString());
    }

    @Test
    void responsesParse() throws Exception {
        SipResponse r = (SipResponse) parse("SIP/2.0 404 User Not Found\r\n" + HEADERS + "Content-Length: 0\r\n\r\n");
        assertEquals(404, r.statusCode());
        assertEquals("User Not Found", r.reasonPhrase());
        SipResponse empty = (SipResponse) parse("SIP/2.0 200\r\n" + HEADERS + "\r\n");
        assertEquals("", empty.reasonPhrase());
    }

    @Test
    void badInputsGetTheirOwnErrors() {
        assertEquals("Empty message", fails("").reason());
        assertEquals("Empty message", fails("\r\n\r\n").reason());
        assertEquals("Bad request line", fails("hello world\r\n\r\n").reason());
        assertEquals("Unsupported SIP version", fails("KDMQ sip:x@h SIP/3.0\r\n" + HEADERS + "\r\n").reason());
        assertEquals("Bad status code", fails("SIP/2.0 20x OK\r\n" + HEADERS + "\r\n").reason());
        assertEquals("Status code out of range", fails("SIP/2.0 700 Huh\r\n" + HEADERS + "\r\n").reason());
        assertEquals("Bad method", fails("KD{MQ sip:x@h SIP/2.0\r\n" + HEADERS + "\r\n").reason());
        assertEquals("Bad Request-URI", fails("KDMQ nothing SIP/2.0\r\n" + HEADERS + "\r\n").reason());
        for (String header : new String[] {"Via", "From", "To", "Call-ID", "CSeq"}) {
            String without = Arrays.stream(HEADERS.split("\r\n")).filter(l -> !l.startsWith(header + ":"))
                    .reduce("", (a, b) -> a + b + "\r\n");
            assertEquals("Missing " + header + " header", fails("KDMQ sip:x@h SIP/2.0\r\n" + without + "\r\n").reason());
        }
        assertEquals("Bad CSeq", fails("KDMQ sip:x@h SIP/2.0\r\n" + HEADERS.replace("CSeq: 1 KDMQ", "CSeq: one KDMQ") + "\r\n").reason());
        assertEquals("CSeq method does not match the request method",
                fails("OPTIONS sip:x@h SIP/2.0\r\n" + HEADERS + "\r\n").reason());
        assertEquals("Bad Content-Length", fails("KDMQ sip:x@h SIP/2.0\r\n" + HEADERS + "Content-Length: -1\r\n\r\n").reason());
        assertEquals("Bad Content-Length", fails("KDMQ sip:x@h SIP/2.0\r\n" + HEADERS + "Content-Length: ten\r\n\r\n").reason());
        assertEquals("Conflicting Content-Length headers",
                fails("KDMQ sip:x@h SIP/2.0\r\n" + HEADERS + "Content-Length: 1\r\nl: 2\r\n\r\nab").reason());
        assertTrue(fails("KDMQ sip:x@h SIP/2.0\r\n" + HEADERS + "Content-Length: 10\r\n\r\nabc").reason()
                .startsWith("Content-Length exceeds message"));
        assertEquals("Malformed header line (no colon)", fails("KDMQ sip:x@h SIP/2.0\r\n" + HEADERS + "oops\r\n\r\n").reason());
        assertEquals("Continuation line before any header", fails("KDMQ sip:x@h SIP/2.0\r\n  folded\r\n" + HEADERS + "\r\n").reason());
    }

    @Test
    void limitsAreEnforcedWithoutBlowingUp() {
        SipLimits small = new SipLimits(1024, 10, 100, 1024);
        byte[] big = new byte[2048];
        Arrays.fill(big, (byte) 'a');
        assertTrue(assertThrows(SipParseException.class, () -> SipParser.parse(big, 0, big.length, small)).reason()
                .startsWith("Message too large"));
        String longLine = "KDMQ sip:x@h SIP/2.0\r\nSubject: " + "x".repeat(200) + "\r\n" + HEADERS + "\r\n";
        byte[] ll = longLine.getBytes(StandardCharsets.UTF_8);
        assertTrue(assertThrows(SipParseException.class, () -> SipParser.parse(ll, 0, ll.length, small)).reason()
                .startsWith("Line too long"));
        String many = "KDMQ sip:x@h SIP/2.0\r\n" + HEADERS + "X-A: 1\r\n".repeat(20) + "\r\n";
        byte[] mb = many.getBytes(StandardCharsets.UTF_8);
        assertTrue(assertThrows(SipParseException.class, () -> SipParser.parse(mb, 0, mb.length, small)).reason()
                .startsWith("Too many headers"));
        // A megabyte without a line end fails fast on the size limit, for the parser and the framer.
        byte[] mega = new byte[1 << 20];
        Arrays.fill(mega, (byte) 'z');
        assertThrows(SipParseException.class, () -> SipParser.parse(mega));
        assertTrue(assertThrows(SipParseException.class,
                () -> SipStreamFramer.frameLength(mega, 0, mega.length, SipLimits.defaults())).reason()
                .startsWith("Header section too large"));
    }

    @Test
    void binaryJunkIsRefused() {
        byte[] junk = new byte[300];
        new java.util.Random(42).nextBytes(junk);
        junk[0] = 1;
        assertThrows(SipParseException.class, () -> SipParser.parse(junk));
    }

    @Test
    void answerableBadRequestsCarryThePartialRequest() {
        SipParseException e = fails("KDMQ sip:x@h SIP/2.0\r\n" + HEADERS + "Content-Length: zz\r\n\r\n");
        SipRequest partial = e.partialRequest().orElseThrow();
        assertEquals("c1", partial.callId());
        assertEquals("KDMQ", partial.method());
        assertFalse(fails("KDMQ sip:x@h SIP/2.0\r\nCall-ID: c\r\n\r\n").partialRequest().isPresent());
        assertFalse(fails("SIP/2.0 200 OK\r\n" + HEADERS + "Content-Length: zz\r\n\r\n").partialRequest().isPresent());
    }

    @Test
    void streamFramerNeedsContentLength() {
        byte[] noLength = ("KDMQ sip:x@h SIP/2.0\r\n" + HEADERS + "\r\n").getBytes(StandardCharsets.UTF_8);
        assertEquals("Missing Content-Length on a stream transport", assertThrows(SipParseException.class,
                () -> SipStreamFramer.frameLength(noLength, 0, noLength.length, SipLimits.defaults())).reason());
        byte[] compact = ("KDMQ sip:x@h SIP/2.0\r\n" + HEADERS + "l: 3\r\n\r\nabcKDMQ").getBytes(StandardCharsets.UTF_8);
        int frame = assertInstanceOf(Integer.class, frameOf(compact));
        assertEquals(compact.length - 4, frame);
    }

    private static Object frameOf(byte[] b) {
        try {
            return SipStreamFramer.frameLength(b, 0, b.length, SipLimits.defaults());
        } catch (SipParseException e) {
            return e;
        }
    }
}

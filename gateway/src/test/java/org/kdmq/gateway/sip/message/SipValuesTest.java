package org.kdmq.gateway.sip.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SipValuesTest {
    @Test
    void uris() {
        SipUri u = SipUri.parse("sips:alice:pw@Example.COM:5061;transport=TLS;lr;maddr=10.0.0.1?subject=hi&x=y");
        assertEquals("sips", u.scheme());
        assertEquals("alice", u.user());
        assertEquals("pw", u.password());
        assertEquals("Example.COM", u.host());
        assertEquals(5061, u.port());
        assertEquals("tls", u.transport());
        assertEquals("", u.parameter("lr"));
        assertEquals("hi", u.headers().get("subject"));
        assertEquals(u, SipUri.parse(u.toString()));
        SipUri plain = SipUri.parse("SIP:10.0.0.1");
        assertEquals(-1, plain.port());
        assertEquals(5060, plain.portOrDefault());
        assertNull(plain.user());
        assertEquals(5061, SipUri.parse("sip:h;transport=tls").portOrDefault());
        SipUri v6 = SipUri.parse("sip:[::1]:5070;transport=tcp");
        assertEquals("[::1]", v6.host());
        assertEquals(5070, v6.port());
        assertEquals(v6, SipUri.parse(v6.toString()));
    }

    @Test
    void badUris() {
        for (String bad : new String[] {"", "this is not a uri", "sip:;;;", "tel:+123", "http://x", "sip:h:0",
                "sip:h:70000", "sip:h:port", "sip:[::1", "sip:@h", "sip:h ost", "sip:[zz]"}) {
            assertThrows(SipSyntaxException.class, () -> SipUri.parse(bad), bad);
        }
    }

    @Test
    void nameAddresses() {
        NameAddress a = NameAddress.parse("\"Alice \\\"A\\\"\" <sip:alice@h;transport=tcp>;tag=abc;x");
        assertEquals("Alice \"A\"", a.displayName());
        assertEquals("abc", a.tag());
        assertEquals("tcp", a.uri().transport());
        assertEquals(a, NameAddress.parse(a.toString()));
        NameAddress bare = NameAddress.parse("sip:bob@h;tag=9");
        assertEquals("9", bare.tag());
        assertNull(bare.uri().parameter("tag"));
        NameAddress token = NameAddress.parse("Bob <sip:bob@h>");
        assertEquals("Bob", token.displayName());
        assertNull(token.tag());
        assertThrows(SipSyntaxException.class, () -> NameAddress.parse("<sip:x@h"));
        assertThrows(SipSyntaxException.class, () -> NameAddress.parse("\"open <sip:x@h>"));
    }

    @Test
    void vias() {
        Via v = Via.parseFirst("SIP / 2.0 / udp 10.0.0.1:5060 ;branch=z9hG4bK1;rport, SIP/2.0/TCP other");
        assertEquals("UDP", v.transport());
        assertEquals("10.0.0.1", v.host());
        assertEquals(5060, v.port());
        assertEquals("z9hG4bK1", v.branch());
        assertEquals("", v.rport());
        Via stamped = v.withReceived("192.0.2.1", 40000);
        assertEquals("192.0.2.1", stamped.received());
        assertEquals("40000", stamped.rport());
        assertEquals(stamped, Via.parseFirst(stamped.toString()));
        Via noRport = Via.parseFirst("SIP/2.0/TCP h;branch=z9hG4bK2").withReceived("1.2.3.4", 9);
        assertNull(noRport.rport());
        assertEquals(-1, noRport.port());
        assertThrows(SipSyntaxException.class, () -> Via.parseFirst("SIP/3.0/UDP h"));
        assertThrows(SipSyntaxException.class, () -> Via.parseFirst("garbage"));
        assertThrows(SipSyntaxException.class, () -> Via.parseFirst("SIP/2.0/UDP h:99999"));
    }

    @Test
    void viasInEveryShapeTheGrammarAllows() {
        Via v6 = Via.parseFirst("  SIP/2.0/tls [2001:db8::1] : 5061 ; branch = z9hG4bKa ; maddr=\"x;y\" ;ttl=1  ");
        assertEquals("TLS", v6.transport());
        assertEquals("[2001:db8::1]", v6.host());
        assertEquals(5061, v6.port());
        assertEquals(java.util.Map.of("branch", "z9hG4bKa", "maddr", "x;y", "ttl", "1"), v6.parameters());
        Via bare = Via.parseFirst("SIP/2.0/Sctp host.example");
        assertEquals("SCTP", bare.transport());
        assertEquals("host.example", bare.host());
        assertEquals(-1, bare.port());
        assertTrue(bare.parameters().isEmpty());
        assertEquals("X-NEW", Via.parseFirst("SIP/2.0/x-new h;branch=b").transport());
        Via firstOfTwo = Via.parseFirst("SIP/2.0/UDP [::1];branch=z9hG4bK1,SIP/2.0/UDP b;branch=z9hG4bK2");
        assertEquals("[::1]", firstOfTwo.host());
        assertEquals("z9hG4bK1", firstOfTwo.branch());
        for (String bad : new String[] {"SIP/2.0/UDP", "SIP/2.0/UDP ;branch=x", "SIP/2.0/UDP [::1", "SIP/2.0/UDP [::1]x",
            "SIP/2.0/UDP h:", "SIP/2.0/UDP h:0", "SIP/2.0/UDP h;=x", "SIP/2.0/UDP h;branch=", "SIP/2.0/UDP h;a=\"x",
            "SIP/2.0/U(P h", "SIP/2.0 UDP h", "SIP/2.1/UDP h", "XIP/2.0/UDP h"}) {
            assertThrows(SipSyntaxException.class, () -> Via.parseFirst(bad), bad);
        }
    }

    @Test
    void anUnchangedHeaderBuilderBuildsTheValueItStartedFromAndAChangeLeavesThatValueAlone() {
        SipHeaders h = SipHeaders.builder().add("Via", "SIP/2.0/UDP a").add("Call-ID", "c").build();
        assertSame(h, h.toBuilder().build());
        SipHeaders changed = h.toBuilder().set("Call-ID", "d").add("X-A", "1").build();
        assertEquals(java.util.List.of("c"), h.all("Call-ID"));
        assertEquals(java.util.List.of("d"), changed.all("Call-ID"));
        assertEquals(3, changed.size());
        assertEquals(2, h.size());
        SipRequest request = SipRequest.builder("KDMQ", "sip:c@h").headers(h).build();
        assertSame(h, request.headers());
        assertSame(h, request.toBuilder().build().headers());
    }

    @Test
    void aBodyTakenFromPartOfAnArrayIsCopiedAndBoundsAreChecked() {
        byte[] wire = "headers|body|trailer".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        SipResponse r = SipResponse.builder(200, "OK").body(wire, 8, 4).build();
        wire[8] = 'X';
        assertEquals("body", r.bodyAsString());
        assertEquals(0, SipResponse.builder(200, "OK").body(wire, 3, 0).build().bodyLength());
        assertEquals(0, SipRequest.builder("KDMQ", "sip:c@h").body((byte[]) null).build().bodyLength());
        assertThrows(IndexOutOfBoundsException.class, () -> SipRequest.builder("KDMQ", "sip:c@h").body(wire, 18, 4));
    }

    @Test
    void aResponseCopiesTheDialogHeadersHoweverTheRequestSpelledThem() {
        SipRequest r = SipRequest.builder("KDMQ", "sip:c@h").header("v", "SIP/2.0/UDP a;branch=z9hG4bK1")
                .header("f", "<sip:a@h>;tag=1").header("TO", "<sip:b@h>").header("i", "c1").header("cseq", "1 KDMQ")
                .header("Max-Forwards", "70").header("Content-Type", "text/plain").header("X-Other", "x").build();
        SipResponse answer = SipResponse.to(r, 200, "OK").build();
        assertEquals(java.util.List.of(HeaderNames.VIA, HeaderNames.FROM, HeaderNames.TO, HeaderNames.CALL_ID,
                HeaderNames.CSEQ), answer.headers().asList().stream().map(SipHeader::name).toList());
        assertEquals("c1", answer.callId());
        assertEquals("z9hG4bK1", answer.topVia().branch());
    }

    @Test
    void headersAreCaseInsensitiveAndOrdered() {
        SipHeaders h = SipHeaders.builder().add("via", "a").add("V", "b").add("X-Custom", "1").build();
        assertEquals(java.util.List.of("a", "b"), h.all("VIA"));
        assertEquals("1", h.first("x-custom").orElseThrow());
        assertEquals("Via", h.asList().get(1).name());
        SipHeaders replaced = h.toBuilder().set("via", "c").build();
        assertEquals(java.util.List.of("c"), replaced.all("Via"));
        assertEquals(0, replaced.asList().indexOf(new SipHeader("Via", "c")));
    }

    @Test
    void wellKnownNamesBecomeTheConstantsAndOthersStillMatchIgnoringCase() {
        // Lookups compare constants by identity: a parsed name must be the constant itself.
        assertSame(HeaderNames.CALL_ID, new SipHeader(new String("Call-ID"), "x").name());
        assertSame(HeaderNames.CALL_ID, new SipHeader("call-id", "x").name());
        assertSame(HeaderNames.CALL_ID, new SipHeader("i", "x").name());
        SipHeader custom = new SipHeader("X-Kdmq-Thing", "1");
        assertTrue(custom.hasName("x-kdmq-thing"));
        assertTrue(custom.hasName(new String("X-Kdmq-Thing")));
        assertFalse(custom.hasName("X-Kdmq-Thong"));
        SipHeader from = new SipHeader("From", "<sip:a@h>");
        assertFalse(from.hasName(HeaderNames.CSEQ), "same length, different name");
        assertTrue(from.hasName("f"));
        assertTrue(from.hasName("FROM"));
        assertFalse(from.hasName("t"));
    }

    @Test
    void aStampedTopViaReplacesOnlyTheFirstValueAndIsNotParsedAgain() {
        SipRequest r = SipRequest.builder("KDMQ", "sip:c@h")
                .header("v", "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1;rport, SIP/2.0/UDP 10.0.0.9;branch=z9hG4bK0")
                .header("Via", "SIP/2.0/UDP 10.0.0.8;branch=z9hG4bKz")
                .header("Call-ID", "c").build();
        Via stamped = r.topVia().withReceived("192.0.2.1", 5070);
        SipRequest s = r.withTopVia(stamped);
        assertSame(stamped, s.topVia());
        assertEquals(stamped, Via.parseFirst(s.headers().first("Via").orElseThrow()), "the text says what the value says");
        assertEquals(java.util.List.of(stamped + ", SIP/2.0/UDP 10.0.0.9;branch=z9hG4bK0", "SIP/2.0/UDP 10.0.0.8;branch=z9hG4bKz"),
                s.headers().all("Via"));
        assertEquals("c", s.callId());
        assertEquals("5070", s.topVia().rport());
    }

    @Test
    void aResponseReusesTheRequestsParsedViaOnlyWhileItCarriesTheSameLine() {
        SipRequest r = SipRequest.builder("KDMQ", "sip:c@h").header("Via", "SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1")
                .header("From", "<sip:a@h>;tag=1").header("To", "<sip:b@h>").header("Call-ID", "c")
                .header("CSeq", "10 KDMQ").build();
        Via parsed = r.topVia();
        assertSame(parsed, SipResponse.to(r, 200, "OK").build().topVia());
        SipResponse changed = SipResponse.to(r, 200, "OK").setHeader("Via", "SIP/2.0/TCP 10.0.0.2;branch=z9hG4bK2").build();
        assertEquals("TCP", changed.topVia().transport(), "a replaced Via is parsed from its own text");
        assertNull(SipResponse.to(SipRequest.builder("KDMQ", "sip:c@h").build(), 200, "OK").build().topVia());
    }

    @Test
    void theFirstOfEachCommonHeaderIsFoundHoweverItIsAskedForAndWhereverItStands() {
        SipHeaders h = SipHeaders.builder().add("X-A", "1").add("i", "compact").add("call-id", "second")
                .add("v", "SIP/2.0/UDP h").build();
        for (String name : new String[] {"Call-ID", "call-id", "CALL-ID", "i", HeaderNames.CALL_ID}) {
            assertEquals("compact", h.first(name).orElseThrow(), name);
        }
        assertEquals("SIP/2.0/UDP h", h.first("Via").orElseThrow());
        assertTrue(h.first(HeaderNames.CSEQ).isEmpty());
        assertEquals(java.util.List.of("compact", "second"), h.all("Call-ID"));
        SipHeaders.Builder many = SipHeaders.builder();
        for (int i = 0; i < 200; i++) {
            many.add("X-Filler-" + i, "f");
        }
        SipHeaders late = many.add("CSeq", "10 KDMQ").build();
        assertEquals("10 KDMQ", late.first(HeaderNames.CSEQ).orElseThrow(), "past the indexed fields: found by a scan");
        assertTrue(late.first(HeaderNames.VIA).isEmpty());
    }

    @Test
    void aViaPrependedAsARequestIsSentIsTheSameRequestAsOneBuiltWithIt() {
        SipRequest request = SipRequest.builder("KDMQ", "sip:chan@127.0.0.1:5060")
                .header("Via", "SIP/2.0/UDP 10.0.0.9;branch=z9hG4bKold")
                .header("Call-ID", "c1")
                .header("CSeq", "10 KDMQ")
                .body("body".getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .build();
        String via = "SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bKnew";
        SipRequest sent = request.withFirstHeader("v", via); // compact name, normalized as any other
        SipRequest built = request.toBuilder().headers(request.headers().toBuilder().addFirst("Via", via).build()).build();
        assertEquals(built, sent);
        assertEquals(via, sent.header("Via").orElseThrow(), "the index sees the new top Via");
        assertEquals("z9hG4bKnew", sent.topVia().branch());
        assertEquals("c1", sent.callId());
        assertEquals(10, sent.cseq().sequence());
        assertEquals(java.util.List.of(via, "SIP/2.0/UDP 10.0.0.9;branch=z9hG4bKold"), sent.headers().all("Via"));
        assertEquals("body", sent.bodyAsString());
        assertEquals("z9hG4bKold", request.topVia().branch(), "the original is untouched");
        assertThrows(UnsupportedOperationException.class, () -> sent.headers().asList().set(0, null));
    }
}

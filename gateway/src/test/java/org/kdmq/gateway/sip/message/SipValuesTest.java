package org.kdmq.gateway.sip.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
    void headersAreCaseInsensitiveAndOrdered() {
        SipHeaders h = SipHeaders.builder().add("via", "a").add("V", "b").add("X-Custom", "1").build();
        assertEquals(java.util.List.of("a", "b"), h.all("VIA"));
        assertEquals("1", h.first("x-custom").orElseThrow());
        assertEquals("Via", h.asList().get(1).name());
        SipHeaders replaced = h.toBuilder().set("via", "c").build();
        assertEquals(java.util.List.of("c"), replaced.all("Via"));
        assertEquals(0, replaced.asList().indexOf(new SipHeader("Via", "c")));
    }
}

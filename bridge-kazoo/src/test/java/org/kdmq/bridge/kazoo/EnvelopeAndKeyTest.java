package org.kdmq.bridge.kazoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EnvelopeAndKeyTest {
    private static final KazooEnvelope.Identity WHO = new KazooEnvelope.Identity("0.1.0", "kdmq-gateway@gw1",
            "kdmq-gateway@gw1-1-targeted-0");

    @Test
    void jsonObjectsKeepTheirFieldsAndGetTheEnvelopeWhereAbsent() {
        byte[] body = "{\"Event-Category\":\"presence\",\"Event-Name\":\"update\",\"Msg-ID\":\"given\",\"x\":1}"
                .getBytes(StandardCharsets.UTF_8);
        ObjectNode out = KazooEnvelope.build(body, "application/json", "presence", "sip:10.0.0.1:5060", WHO);
        assertEquals("given", out.get("Msg-ID").asText(), "present fields are kept");
        assertEquals(1, out.get("x").asInt());
        assertEquals("kdmq-gateway", out.get("App-Name").asText());
        assertEquals("0.1.0", out.get("App-Version").asText());
        assertEquals("kdmq-gateway@gw1", out.get("Node").asText());
        assertEquals("kdmq-gateway@gw1-1-targeted-0", out.get("Server-ID").asText());
        assertEquals("presence.update", RoutingKeyTemplate.parse(RoutingKeyTemplate.DEFAULT).render(out));
    }

    @Test
    void otherBodiesAreWrapped() {
        ObjectNode out = KazooEnvelope.build("v-alice".getBytes(StandardCharsets.UTF_8), "text/plain", "mychannel",
                "sip:10.0.0.1:5060", WHO);
        assertEquals("dmq", out.get("Event-Category").asText());
        assertEquals("mychannel", out.get("Event-Name").asText());
        assertEquals("v-alice", out.get("Body").asText());
        assertEquals("text/plain", out.get("Content-Type").asText());
        assertEquals("sip:10.0.0.1:5060", out.get("Sender").asText());
        java.util.UUID id = java.util.UUID.fromString(out.get("Msg-ID").asText());
        assertEquals(4, id.version(), "a random UUID, as the kazoo module makes them");
        assertEquals(2, id.variant());
        assertTrue(!KazooEnvelope.newMsgId().equals(KazooEnvelope.newMsgId()));
        assertTrue(KazooEnvelope.asObject("[1,2]".getBytes()) == null, "a JSON array is not an object");
    }

    @Test
    void routingKeysAreEncodedPerPart() throws Exception {
        ObjectNode p = (ObjectNode) new ObjectMapper().readTree(
                "{\"Event-Category\":\"dialog\",\"Event-Name\":\"new call\",\"Realm\":\"a.example.com\"}");
        assertEquals("dialog.new+call", RoutingKeyTemplate.parse(RoutingKeyTemplate.DEFAULT).render(p));
        assertEquals("presence.a%2Eexample%2Ecom.x", RoutingKeyTemplate.parse("presence.{Realm}.x").render(p));
        assertEquals("dialog.", RoutingKeyTemplate.parse("{Event-Category}.{Missing}").render(p));
        assertThrows(IllegalArgumentException.class, () -> RoutingKeyTemplate.parse("{unclosed"));
        ObjectNode big = (ObjectNode) new ObjectMapper().readTree("{\"k\":\"" + "a.".repeat(70) + "\"}");
        assertThrows(IllegalArgumentException.class, () -> RoutingKeyTemplate.parse("{k}").render(big),
                "over 255 bytes once encoded: an error, not a truncation");
    }
}

package org.kdmq.bridge.kazoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** kz.encode, kz.json and the event-route order, with the examples of ../shared/kazoo-amqp.md. */
class KazooLibraryTest {
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void encodesAsKazoo() {
        assertEquals("user%40example%2Ecom", KazooEncoding.encode("user@example.com"));
        assertEquals("a+b%2Ec%2Fd%3Ae", KazooEncoding.encode("a b.c/d:e"));
        assertEquals("a%2Ab%23c", KazooEncoding.encode("a*b#c"));
        assertEquals("*", KazooEncoding.encode("*"));
        assertEquals("#", KazooEncoding.encode("#"));
        assertEquals("", KazooEncoding.encode(""));
        assertEquals("Az09-~_", KazooEncoding.encode("Az09-~_"));
        assertEquals("caf%C3%A9", KazooEncoding.encode("café"), "Kazoo's bytes, not Kamailio's signed-char bug");
    }

    @Test
    void routingKeysOver255BytesAreAnError() {
        assertEquals("x".repeat(255), KazooEncoding.checkRoutingKey("x".repeat(255)));
        assertThrows(IllegalArgumentException.class, () -> KazooEncoding.checkRoutingKey("x".repeat(256)));
        assertThrows(IllegalArgumentException.class, () -> KazooEncoding.checkRoutingKey("é".repeat(128)));
    }

    @Test
    void jsonPathsAsKzJson() throws Exception {
        JsonNode doc = json.readTree("{\"Custom-Channel-Vars\":{\"Account-ID\":\"acc1\"},\"a.b\":\"dotted\","
                + "\"list\":[{\"x\":1},{\"x\":2}],\"n\":5,\"t\":true,\"nul\":null,\"obj\":{\"k\":[1,2]}}");
        assertEquals("acc1", KazooJsonPath.get(doc, "Custom-Channel-Vars.Account-ID"));
        assertEquals("dotted", KazooJsonPath.get(doc, "a%b"));
        assertEquals("2", KazooJsonPath.get(doc, "list[1].x"));
        assertEquals("5", KazooJsonPath.get(doc, "n"));
        assertEquals("true", KazooJsonPath.get(doc, "t"));
        assertEquals("{\"k\":[1,2]}", KazooJsonPath.get(doc, "obj"));
        assertEquals("[1,2]", KazooJsonPath.get(doc, "obj.k"));
        assertEquals("", KazooJsonPath.get(doc, "nul"));
        assertEquals("", KazooJsonPath.get(doc, "missing.deeper"));
        assertEquals("", KazooJsonPath.get(doc, "list[-1]"));
        assertEquals("", KazooJsonPath.get(doc, "list[9]"));
        assertEquals("", KazooJsonPath.get(doc, "[0]"));
        assertEquals("", KazooJsonPath.get(json.readTree("[1,2]"), "[0]"), "a top-level array cannot be indexed");
    }

    @Test
    void eventRouteFallbackOrder() throws Exception {
        JsonNode presence = json.readTree("{\"Event-Category\":\"presence\",\"Event-Name\":\"dialog_update\"}");
        assertEquals(List.of("consumer-event-presence-dialog-update", "consumer-event-presence",
                "consumer-event-event-category-event-name", "consumer-event-event-category", "consumer-event"),
                EventRoutes.candidates(presence, null, null));
        JsonNode bare = json.readTree("{\"x\":1}");
        assertEquals(List.of("consumer-event-event-category-event-name", "consumer-event-event-category",
                "consumer-event"), EventRoutes.candidates(bare, null, null));
        JsonNode custom = json.readTree("{\"Type\":\"Call_Event\",\"Sub\":\"Hangup\"}");
        assertEquals(List.of("consumer-event-call-event-hangup", "consumer-event-call-event", "consumer-event-type-sub",
                "consumer-event-type", "consumer-event"), EventRoutes.candidates(custom, "Type", "Sub"));
        // A field the subscription names but the payload lacks: its name stands in.
        assertEquals("consumer-event-type-sub", EventRoutes.candidates(json.readTree("{}"), "Type", "Sub").get(0));
    }
}

package org.kdmq.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every level of the kazoo event-route fallback, and the subscription forms. */
class RoutePickTest {
    private final ObjectMapper json = new ObjectMapper();

    private ObjectNode p(String text) throws Exception {
        return (ObjectNode) json.readTree(text);
    }

    @Test
    void eachFallbackLevelIsTriedInOrder() throws Exception {
        SubscriptionSpec sub = SubscriptionSpec.parse("presence:topic:q1:#");
        ObjectNode payload = p("{\"Event-Category\":\"presence\",\"Event-Name\":\"dialog_update\"}");
        Map<String, String> all = Map.of("consumer-event-presence-dialog-update", "l1", "consumer-event-presence", "l2",
                "consumer-event-event-category-event-name", "l3", "consumer-event-event-category", "l4", "consumer-event", "l5");
        assertEquals("l1", pick(payload, sub, all));
        assertEquals("l2", pick(payload, sub, without(all, "consumer-event-presence-dialog-update")));
        assertEquals("l3", pick(payload, sub, Map.of("consumer-event-event-category-event-name", "l3",
                "consumer-event-event-category", "l4", "consumer-event", "l5")));
        assertEquals("l4", pick(payload, sub, Map.of("consumer-event-event-category", "l4", "consumer-event", "l5")));
        assertEquals("l5", pick(payload, sub, Map.of("consumer-event", "l5")));
        assertNull(pick(payload, sub, Map.of()));
        SubscriptionSpec withDefault = SubscriptionSpec.parse("{\"exchange\":\"e\",\"queue\":\"q\",\"channel\":\"fallback\"}");
        assertEquals("fallback", pick(payload, withDefault, Map.of()));
    }

    @Test
    void subscriptionForms() {
        SubscriptionSpec simple = SubscriptionSpec.parse("presence:topic:kdmq-presence:update.*.*");
        assertEquals("presence", simple.exchange());
        assertEquals("update.*.*", simple.routing().get(0));
        assertEquals(true, simple.queueAutoDelete());
        SubscriptionSpec full = SubscriptionSpec.parse("{\"exchange\":\"callevt\",\"type\":\"topic\",\"queue\":\"q\","
                + "\"routing\":[\"call.CHANNEL_CREATE.*\",\"call.CHANNEL_DESTROY.*\"],\"auto_delete\":0,\"event_key\":\"Event-Name\","
                + "\"federate\":1,\"prefetch\":10}");
        assertEquals(2, full.routing().size());
        assertEquals(false, full.queueAutoDelete());
        assertEquals(true, full.federate());
        assertEquals(10, full.prefetch());
        SubscriptionSpec bound = SubscriptionSpec.parse("{\"exchange\":\"dst\",\"queue\":\"q\",\"exchange-bindings\":"
                + "{\"src1\":{\"type\":\"topic\",\"routing\":[\"a.#\",\"b.#\"]},\"src2\":{\"type\":\"fanout\"}},"
                + "\"consistent-worker\":1,\"consistent-worker-key\":\"Call-ID\"}");
        assertEquals(2, bound.exchangeBindings().size(), "every entry, not only the first as the kazoo module");
        assertEquals(List.of("a.#", "b.#"), bound.exchangeBindings().get(0).routing());
        assertEquals("fanout", bound.exchangeBindings().get(1).type());
        assertEquals(true, bound.consistentWorker());
        assertEquals("Call-ID", bound.consistentWorkerKey());
        assertThrows(IllegalArgumentException.class, () -> SubscriptionSpec.parse("only:three:parts"));
        assertThrows(IllegalArgumentException.class, () -> SubscriptionSpec.parse("{\"exchange\":\"e\"}"));
        assertThrows(IllegalArgumentException.class, () -> SubscriptionSpec.parse("e:weird:q:#"));
    }

    /** The channel the routes pick (as plain routes), or null. */
    private static String pick(ObjectNode payload, SubscriptionSpec sub, Map<String, String> channels) {
        Map<String, Subscriber.Route> routes = new java.util.HashMap<>();
        channels.forEach((name, channel) -> routes.put(name, new Subscriber.Route(channel, false)));
        Subscriber.Route route = Subscriber.pick(payload, sub, routes);
        return route == null ? null : route.channel();
    }

    @Test
    void aQueryRouteIsTakenInTheSameOrder() throws Exception {
        SubscriptionSpec sub = SubscriptionSpec.parse("{\"exchange\":\"e\",\"queue\":\"q\",\"channel\":\"fallback\"}");
        ObjectNode payload = p("{\"Event-Category\":\"directory\",\"Event-Name\":\"lookup\"}");
        Map<String, Subscriber.Route> routes = Map.of(
                "consumer-event-directory-lookup", new Subscriber.Route("dir", true),
                "consumer-event-directory", new Subscriber.Route("dir-events", false));
        assertEquals(new Subscriber.Route("dir", true), Subscriber.pick(payload, sub, routes));
        assertEquals(new Subscriber.Route("dir-events", false),
                Subscriber.pick(p("{\"Event-Category\":\"directory\",\"Event-Name\":\"other\"}"), sub, routes));
        assertEquals(new Subscriber.Route("fallback", false), Subscriber.pick(p("{}"), sub, routes));
    }

    private static Map<String, String> without(Map<String, String> m, String key) {
        Map<String, String> copy = new java.util.HashMap<>(m);
        copy.remove(key);
        return copy;
    }
}

package org.kdmq.bridge.kazoo;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Locale;

/**
 * The kazoo module's event-route fallback order (kz_amqp_consumer_event_cfg) for a consumed payload:
 * consumer-event-CAT-NAME, consumer-event-CAT, consumer-event-KEY-SUBKEY, consumer-event-KEY,
 * consumer-event. CAT and NAME are the payload's values of the key fields (Event-Category and
 * Event-Name unless the subscription names others; when a named field is missing, its name stands in).
 * Every candidate is lower-cased with '_' turned into '-'.
 */
public final class EventRoutes {
    public static final String DEFAULT_KEY = "Event-Category";
    public static final String DEFAULT_SUBKEY = "Event-Name";
    public static final String BASE = "consumer-event";

    private EventRoutes() {
    }

    /**
     * @param eventKey    the subscription's event_key, or null for Event-Category
     * @param eventSubkey the subscription's event_subkey, or null for Event-Name
     */
    public static List<String> candidates(JsonNode payload, String eventKey, String eventSubkey) {
        String key = eventKey != null ? eventKey : DEFAULT_KEY;
        String subkey = eventSubkey != null ? eventSubkey : DEFAULT_SUBKEY;
        String category = valueOf(payload, key, eventKey != null);
        String name = valueOf(payload, subkey, eventSubkey != null);
        java.util.ArrayList<String> out = new java.util.ArrayList<>(5);
        if (category != null && name != null) {
            out.add(route(BASE + "-" + category + "-" + name));
        }
        if (category != null) {
            out.add(route(BASE + "-" + category));
        }
        out.add(route(BASE + "-" + key + "-" + subkey));
        out.add(route(BASE + "-" + key));
        out.add(BASE);
        return List.copyOf(new java.util.LinkedHashSet<>(out));
    }

    private static String valueOf(JsonNode payload, String field, boolean namedBySubscription) {
        JsonNode v = payload == null ? null : payload.get(field);
        if (v != null && !v.isNull() && !v.isContainerNode() && !v.asText().isEmpty()) {
            return v.asText();
        }
        return namedBySubscription ? field : null;
    }

    /** Lower-case, '_' as '-': how the kazoo module names routes. */
    public static String route(String name) {
        return name.toLowerCase(Locale.ROOT).replace('_', '-');
    }
}

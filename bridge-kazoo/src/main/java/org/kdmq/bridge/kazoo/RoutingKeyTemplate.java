package org.kdmq.bridge.kazoo;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A routing key made from a payload: literal text with {@code {json.path}} placeholders, each value
 * taken with kz.json rules and encoded with {@link KazooEncoding}. The default is
 * {@code {Event-Category}.{Event-Name}}. A key over 255 bytes is an error.
 */
public final class RoutingKeyTemplate {
    public static final String DEFAULT = "{Event-Category}.{Event-Name}";

    /** Literal text, or a placeholder's path (compiled once, not split per message). */
    private record Part(String text, KazooJsonPath.Path path) {
        Part(String text, boolean placeholder) {
            this(text, placeholder ? KazooJsonPath.compile(text, '%') : null);
        }
    }

    private final String source;
    private final List<Part> parts;

    private RoutingKeyTemplate(String source, List<Part> parts) {
        this.source = source;
        this.parts = parts;
    }

    public static RoutingKeyTemplate parse(String template) {
        List<Part> parts = new ArrayList<>();
        int i = 0;
        while (i < template.length()) {
            int open = template.indexOf('{', i);
            if (open < 0) {
                parts.add(new Part(template.substring(i), false));
                break;
            }
            int close = template.indexOf('}', open);
            if (close < 0) {
                throw new IllegalArgumentException("unclosed '{' in routing key template: " + template);
            }
            if (open > i) {
                parts.add(new Part(template.substring(i, open), false));
            }
            String path = template.substring(open + 1, close).trim();
            if (path.isEmpty()) {
                throw new IllegalArgumentException("empty {} in routing key template: " + template);
            }
            parts.add(new Part(path, true));
            i = close + 1;
        }
        return new RoutingKeyTemplate(template, List.copyOf(parts));
    }

    /** A fixed key, taken as it is (braces included). */
    public static RoutingKeyTemplate literal(String key) {
        return new RoutingKeyTemplate(key, List.of(new Part(key, false)));
    }

    /** The key for a payload; a missing field gives an empty part, as kz.json gives "". */
    public String render(JsonNode payload) {
        StringBuilder sb = new StringBuilder();
        for (Part p : parts) {
            sb.append(p.path() != null ? KazooEncoding.encode(p.path().get(payload)) : p.text());
        }
        return KazooEncoding.checkRoutingKey(sb.toString());
    }

    @Override
    public String toString() {
        return source;
    }
}

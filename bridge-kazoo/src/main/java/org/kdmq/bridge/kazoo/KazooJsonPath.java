package org.kdmq.bridge.kazoo;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Kamailio's kz.json path lookup (kz_json.c): segments split on '.', the escape character (default
 * '%') standing for a literal dot inside a key, {@code name[n]} indexing an array. Strings give their
 * raw value, numbers and booleans their text, objects and arrays their JSON text; a missing key, a JSON
 * null, a bad index or a segment that starts with '[' give "" (as the kz.json transformation does).
 */
public final class KazooJsonPath {
    private KazooJsonPath() {
    }

    public static String get(JsonNode root, String path) {
        return get(root, path, '%');
    }

    public static String get(JsonNode root, String path, char escape) {
        return compile(path, escape).get(root);
    }

    /** The node at the path, or null. */
    public static JsonNode find(JsonNode root, String path, char escape) {
        return compile(path, escape).find(root);
    }

    /** A path split once, for a lookup per message (a routing key template's placeholders). */
    public static Path compile(String path, char escape) {
        String[] raw = path.split("\\.", -1);
        Segment[] segments = new Segment[raw.length];
        for (int i = 0; i < raw.length; i++) {
            String segment = raw[i].replace(escape, '.');
            if (segment.isEmpty() || segment.startsWith("[")) {
                return Path.NOWHERE;
            }
            int bracket = segment.indexOf('[');
            if (bracket < 0) {
                segments[i] = new Segment(segment, false, 0);
                continue;
            }
            if (!segment.endsWith("]")) {
                return Path.NOWHERE;
            }
            try {
                segments[i] = new Segment(segment.substring(0, bracket), true,
                        Integer.parseInt(segment.substring(bracket + 1, segment.length() - 1)));
            } catch (NumberFormatException e) {
                return Path.NOWHERE;
            }
        }
        return new Path(segments);
    }

    private record Segment(String name, boolean indexed, int index) {
    }

    /** A compiled path; {@link #NOWHERE} for one that can match nothing. */
    public static final class Path {
        static final Path NOWHERE = new Path(null);
        private final Segment[] segments;

        private Path(Segment[] segments) {
            this.segments = segments;
        }

        /** The value at the path as kz.json gives it: "" when there is none. */
        public String get(JsonNode root) {
            JsonNode node = find(root);
            if (node == null || node.isNull() || node.isMissingNode()) {
                return "";
            }
            return node.isContainerNode() ? node.toString() : node.asText();
        }

        JsonNode find(JsonNode root) {
            if (segments == null) {
                return null;
            }
            JsonNode current = root;
            for (Segment s : segments) {
                if (current == null || !current.isObject()) {
                    return null;
                }
                current = current.get(s.name());
                if (s.indexed()) {
                    if (current == null || !current.isArray() || s.index() < 0 || s.index() >= current.size()) {
                        return null;
                    }
                    current = current.get(s.index());
                }
            }
            return current;
        }
    }
}

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
        JsonNode node = find(root, path, escape);
        if (node == null || node.isNull() || node.isMissingNode()) {
            return "";
        }
        return node.isContainerNode() ? node.toString() : node.asText();
    }

    /** The node at the path, or null. */
    public static JsonNode find(JsonNode root, String path, char escape) {
        JsonNode current = root;
        for (String rawSegment : path.split("\\.", -1)) {
            if (current == null || !current.isObject()) {
                return null;
            }
            String segment = rawSegment.replace(escape, '.');
            if (segment.isEmpty() || segment.startsWith("[")) {
                return null;
            }
            int bracket = segment.indexOf('[');
            if (bracket < 0) {
                current = current.get(segment);
                continue;
            }
            if (!segment.endsWith("]")) {
                return null;
            }
            JsonNode array = current.get(segment.substring(0, bracket));
            String indexText = segment.substring(bracket + 1, segment.length() - 1);
            int index;
            try {
                index = Integer.parseInt(indexText);
            } catch (NumberFormatException e) {
                return null;
            }
            if (array == null || !array.isArray() || index < 0 || index >= array.size()) {
                return null;
            }
            current = array.get(index);
        }
        return current;
    }
}

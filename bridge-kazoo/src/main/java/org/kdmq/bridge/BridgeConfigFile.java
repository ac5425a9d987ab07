package org.kdmq.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code --bridge-config FILE}: {"amqp_connection":[...], "mirror":[...], "subscribe":[...],
 * "route":{"consumer-event-presence":"presence"}}. Entries are strings as the flags take them, or
 * objects (the JSON forms). They are added to what the flags give.
 */
final class BridgeConfigFile {
    private BridgeConfigFile() {
    }

    static void addTo(BridgeOptions options, Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read --bridge-config " + file + ": " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("--bridge-config " + file + " must hold a JSON object");
        }
        options.connections = merged(options.connections, root.path("amqp_connection"), "amqp_connection");
        options.mirrors = merged(options.mirrors, root.path("mirror"), "mirror");
        options.subscriptions = merged(options.subscriptions, root.path("subscribe"), "subscribe");
        options.queryChannels = merged(options.queryChannels, root.path("query_channel"), "query_channel");
        options.routes = routes(options.routes, root.path("route"), "route", file);
        options.queryRoutes = routes(options.queryRoutes, root.path("query_route"), "query_route", file);
    }

    private static List<String> routes(List<String> fromFlags, JsonNode r, String name, Path file) {
        List<String> routes = new ArrayList<>(fromFlags);
        if (!r.isMissingNode()) {
            if (!r.isObject()) {
                throw new IllegalArgumentException(name + " in " + file + " must be an object of NAME: CHANNEL");
            }
            r.fields().forEachRemaining(e -> routes.add(e.getKey() + "=" + e.getValue().asText()));
        }
        return routes;
    }

    private static List<String> merged(List<String> fromFlags, JsonNode list, String name) {
        List<String> out = new ArrayList<>(fromFlags);
        if (list.isMissingNode()) {
            return out;
        }
        if (!list.isArray()) {
            throw new IllegalArgumentException(name + " in --bridge-config must be a list");
        }
        for (JsonNode item : list) {
            out.add(item.isTextual() ? item.asText() : item.toString());
        }
        return out;
    }
}

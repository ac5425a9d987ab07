package org.kdmq.gateway.ops;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * A method's parameters, positional (in the order of Kamailio's script functions) or named. Each
 * method declares its parameter names; {@link #string} finds a value either way.
 */
public final class RpcParams {
    private final String method;
    private final JsonNode params;
    private final List<String> names;

    RpcParams(String method, JsonNode params, List<String> names) {
        this.method = method;
        this.params = params;
        this.names = names;
    }

    /** A required string parameter. */
    public String string(String name) {
        String value = optionalString(name);
        if (value == null) {
            throw RpcException.invalidParams(method + ": missing parameter '" + name + "' (" + usage() + ")");
        }
        return value;
    }

    /** An optional string parameter, or null. */
    public String optionalString(String name) {
        JsonNode value = find(name);
        if (value == null || value.isNull() || value.isMissingNode()) {
            return null;
        }
        if (value.isContainerNode()) {
            throw RpcException.invalidParams(method + ": parameter '" + name + "' must be a string");
        }
        return value.asText();
    }

    private JsonNode find(String name) {
        if (params == null || params.isNull() || params.isMissingNode()) {
            return null;
        }
        if (params.isArray()) {
            int index = names.indexOf(name);
            return index >= 0 && index < params.size() ? params.get(index) : null;
        }
        if (params.isObject()) {
            return params.get(name);
        }
        throw RpcException.invalidParams(method + ": params must be an array or an object");
    }

    private String usage() {
        return "params: " + String.join(", ", names);
    }
}

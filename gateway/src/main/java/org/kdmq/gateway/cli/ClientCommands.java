package org.kdmq.gateway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Subcommands that talk JSON-RPC to a running node's admin endpoint. */
final class ClientCommands {
    private ClientCommands() {
    }

    /** Options every client command has. */
    abstract static class Client implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--admin", defaultValue = "http://127.0.0.1:8060",
                description = "the node's admin endpoint (env KDMQ_ADMIN_URL) (default: ${DEFAULT-VALUE})")
        String admin;

        @Option(names = "--admin-auth", description = "user:password or 'Bearer TOKEN' for a protected endpoint")
        String adminAuth;

        @Option(names = "--json", description = "print the raw JSON-RPC result")
        boolean json;

        final ObjectMapper mapper = new ObjectMapper();

        /** Calls a method; prints an error and returns null when the call fails. */
        JsonNode call(String method, ArrayNode params) throws IOException, InterruptedException {
            ObjectNode request = mapper.createObjectNode().put("jsonrpc", "2.0").put("method", method).put("id", 1);
            request.set("params", params);
            URI uri;
            try {
                uri = URI.create(admin.replaceAll("/+$", "") + "/RPC");
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--admin is not a URL: " + admin);
            }
            HttpRequest.Builder http = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(mapper.writeValueAsBytes(request)));
            if (adminAuth != null) {
                http.header("Authorization", adminAuth.startsWith("Bearer ") ? adminAuth
                        : "Basic " + Base64.getEncoder().encodeToString(adminAuth.getBytes(StandardCharsets.UTF_8)));
            }
            HttpResponse<byte[]> response;
            try {
                response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
                        .send(http.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException e) {
                spec.commandLine().getErr().println("kdmq-gateway: cannot reach " + admin + ": " + e);
                return null;
            }
            if (response.statusCode() != 200) {
                spec.commandLine().getErr().println("kdmq-gateway: " + admin + " answered HTTP " + response.statusCode());
                return null;
            }
            JsonNode answer = mapper.readTree(response.body());
            if (answer.has("error")) {
                spec.commandLine().getErr().println("kdmq-gateway: error " + answer.get("error").path("code").asInt()
                        + ": " + answer.get("error").path("message").asText());
                return null;
            }
            return answer.get("result");
        }

        int print(JsonNode result) throws IOException {
            if (result == null) {
                return 1;
            }
            if (json || !result.isValueNode()) {
                spec.commandLine().getOut().println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(result));
            } else {
                spec.commandLine().getOut().println(result.asText());
            }
            return 0;
        }

        ArrayNode params(String... values) {
            ArrayNode a = mapper.createArrayNode();
            for (String v : values) {
                if (v != null) {
                    a.add(v);
                }
            }
            return a;
        }
    }

    @Command(name = "rpc", mixinStandardHelpOptions = true, description = "Call a JSON-RPC method, e.g. rpc dmq.list_nodes")
    static final class Rpc extends Client {
        @Parameters(index = "0", description = "method name")
        String method;

        @Parameters(index = "1..*", description = "positional parameters")
        List<String> params = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            return print(call(method, params(params.toArray(String[]::new))));
        }
    }

    @Command(name = "nodes", mixinStandardHelpOptions = true, description = "Show the node list as a table")
    static final class Nodes extends Client {
        @Override
        public Integer call() throws Exception {
            JsonNode result = call("dmq.list_nodes", params());
            if (result == null) {
                return 1;
            }
            if (json) {
                return print(result);
            }
            var out = spec.commandLine().getOut();
            out.printf("%-40s %-6s %-16s %-11s %-5s%n", "HOST:PORT", "PROTO", "RESOLVED_IP", "STATUS", "LOCAL");
            for (JsonNode n : result) {
                out.printf("%-40s %-6s %-16s %-11s %-5s%n", n.path("host").asText() + ":" + n.path("port").asText(),
                        n.path("proto").asText(), n.path("resolved_ip").asText(), n.path("status").asText(),
                        n.path("local").asInt() == 1 ? "yes" : "");
            }
            return 0;
        }
    }

    @Command(name = "send", mixinStandardHelpOptions = true, description = "Send a message on a channel to one node")
    static final class Send extends Client {
        @Parameters(index = "0", description = "channel")
        String channel;

        @Parameters(index = "1", description = "node URI, e.g. sip:10.0.0.2:5060")
        String node;

        @Parameters(index = "2", description = "body")
        String body;

        @Option(names = "--content-type", defaultValue = "text/plain", description = "(default: ${DEFAULT-VALUE})")
        String contentType;

        @Override
        public Integer call() throws Exception {
            JsonNode result = call("dmq.send", params(channel, node, body, contentType));
            if (result == null) {
                return 1;
            }
            if (json) {
                return print(result);
            }
            spec.commandLine().getOut().println(result.path("node").asText() + " " + result.path("code").asInt() + " "
                    + result.path("reason").asText() + (result.has("body") ? "\n" + result.path("body").asText() : ""));
            return result.path("code").asInt() / 100 == 2 ? 0 : 1;
        }
    }

    @Command(name = "bcast", mixinStandardHelpOptions = true, description = "Broadcast a message on a channel to all active nodes")
    static final class Bcast extends Client {
        @Parameters(index = "0", description = "channel")
        String channel;

        @Parameters(index = "1", description = "body")
        String body;

        @Option(names = "--content-type", defaultValue = "text/plain", description = "(default: ${DEFAULT-VALUE})")
        String contentType;

        @Override
        public Integer call() throws Exception {
            JsonNode result = call("dmq.bcast", params(channel, body, contentType));
            if (result == null) {
                return 1;
            }
            if (json) {
                return print(result);
            }
            boolean allOk = true;
            for (JsonNode r : result) {
                spec.commandLine().getOut().println(r.path("node").asText() + " " + r.path("code").asInt() + " "
                        + r.path("reason").asText());
                allOk &= r.path("code").asInt() / 100 == 2;
            }
            return allOk ? 0 : 1;
        }
    }
}

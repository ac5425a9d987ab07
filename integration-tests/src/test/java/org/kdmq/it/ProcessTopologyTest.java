package org.kdmq.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.kdmq.it.OurNodes.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * docker/docker-compose.yml's topology as plain processes (no Docker engine here): three
 * {@code java -jar kdmq-gateway.jar} configured only by environment variables, joining through the
 * first; then a SIGTERM: the node exits 0 and the others learn it left.
 */
class ProcessTopologyTest {
    private static final Path JAR = Path.of("..", "docker", "target", "kdmq-gateway.jar");
    private final List<Process> processes = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @AfterEach
    void stop() {
        processes.forEach(Process::destroyForcibly);
    }

    private Process gateway(String name, int sipPort, int adminPort, String notify) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString());
        Map<String, String> env = pb.environment();
        env.put("KDMQ_SERVER_ADDRESS", "sip:127.0.0.1:" + sipPort);
        env.put("KDMQ_NOTIFICATION_ADDRESS", notify);
        env.put("KDMQ_PING_INTERVAL", "1");
        env.put("KDMQ_FR_TIMER_MS", "2000");
        env.put("KDMQ_ADMIN_LISTEN", "127.0.0.1:" + adminPort);
        env.put("KDMQ_ECHO_CHANNEL", "echo");
        File log = Files.createTempFile("kdmq-" + name + "-", ".log").toFile();
        Process p = pb.redirectErrorStream(true).redirectOutput(log).start();
        processes.add(p);
        return p;
    }

    private JsonNode listNodes(int adminPort) {
        return rpc(adminPort, "{\"jsonrpc\":\"2.0\",\"method\":\"dmq.list_nodes\",\"id\":1}");
    }

    private JsonNode rpc(int adminPort, String request) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/RPC"))
                    .POST(HttpRequest.BodyPublishers.ofString(request)).build(), HttpResponse.BodyHandlers.ofString());
            return json.readTree(r.body()).get("result");
        } catch (Exception e) {
            return null; // not up yet
        }
    }

    private boolean listsActive(int adminPort, int count) {
        JsonNode list = listNodes(adminPort);
        if (list == null || list.size() != count) {
            return false;
        }
        for (JsonNode n : list) {
            if (!n.get("status").asText().equals("active")) {
                return false;
            }
        }
        return true;
    }

    @Test
    void threeGatewaysFromEnvironmentVariablesJoinAndOneLeavesCleanly() throws Exception {
        assertTrue(Files.isReadable(JAR), "build the jar first (mvn package): " + JAR.toAbsolutePath());
        int[] sip = {OurNodes.freePort(), OurNodes.freePort(), OurNodes.freePort()};
        int[] admin = {OurNodes.freePort(), OurNodes.freePort(), OurNodes.freePort()};
        String seed = "sip:127.0.0.1:" + sip[0];
        gateway("gw1", sip[0], admin[0], seed);
        gateway("gw2", sip[1], admin[1], seed);
        Process gw3 = gateway("gw3", sip[2], admin[2], seed);
        await("three gateways agree", Duration.ofSeconds(60),
                () -> listsActive(admin[0], 3) && listsActive(admin[1], 3) && listsActive(admin[2], 3));

        // --echo-channel (here KDMQ_ECHO_CHANNEL): gw2 answers 200 on "echo" with the body sent back.
        JsonNode echoed = rpc(admin[0], "{\"jsonrpc\":\"2.0\",\"method\":\"dmq.send\",\"id\":2,\"params\":"
                + "[\"echo\",\"sip:127.0.0.1:" + sip[1] + "\",\"hello\"]}");
        assertTrue(echoed != null && echoed.toString().contains("200") && echoed.toString().contains("hello"), String.valueOf(echoed));

        gw3.destroy(); // SIGTERM
        assertTrue(gw3.waitFor(30, TimeUnit.SECONDS), "gw3 stopped within its grace period");
        assertEquals(0, gw3.exitValue());
        await("gw1 and gw2 saw gw3 leave", Duration.ofSeconds(30), () -> {
            for (int a : new int[] {admin[0], admin[1]}) {
                JsonNode list = listNodes(a);
                if (list == null) {
                    return false;
                }
                for (JsonNode n : list) {
                    if (n.get("port").asText().equals(Integer.toString(sip[2])) && n.get("status").asText().equals("active")) {
                        return false;
                    }
                }
            }
            return true;
        });
    }
}

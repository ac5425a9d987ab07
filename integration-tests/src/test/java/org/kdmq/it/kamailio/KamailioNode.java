package org.kdmq.it.kamailio;

import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A real Kamailio 5.6 process (Debian's package) running the DMQ + htable test config, read through
 * its ctl socket with kamcmd. Each node lives in its own temp directory; stop() ends it with SIGTERM,
 * kill() with SIGKILL to every process of it (a crash, as far as its peers can tell).
 */
public final class KamailioNode implements AutoCloseable {
    private static final Path KAMAILIO = Path.of("/usr/sbin/kamailio");
    private static final Path KAMCMD = Path.of("/usr/sbin/kamcmd");

    private final String name;
    private final String address;
    private final int port;
    private final String serverAddress;
    private final String notificationAddress;
    private final int frTimerMs;
    private final String template;
    private final java.util.Map<String, String> extra;
    private final Path dir;
    private Process process;

    private KamailioNode(String name, String address, int port, String serverAddress, String notificationAddress,
                         int frTimerMs) throws IOException {
        this(name, address, port, serverAddress, notificationAddress, frTimerMs, "/kamailio/node.cfg.tmpl",
                java.util.Map.of());
    }

    private KamailioNode(String name, String address, int port, String serverAddress, String notificationAddress,
                         int frTimerMs, String template, java.util.Map<String, String> extra) throws IOException {
        this.template = template;
        this.extra = extra;
        this.name = name;
        this.address = address;
        this.port = port;
        this.serverAddress = serverAddress;
        this.notificationAddress = notificationAddress;
        this.frTimerMs = frTimerMs;
        this.dir = Files.createTempDirectory("kamailio-" + name + "-");
    }

    public static boolean isInstalled() {
        return Files.isExecutable(KAMAILIO) && Files.isExecutable(KAMCMD);
    }

    /**
     * Starts a node listening on UDP and TCP at address:port.
     *
     * @param transport "udp" (server_address without transport param) or "tcp"
     */
    public static KamailioNode start(String name, String address, int port, String transport,
                                     String notificationAddress, Duration frTimer) throws IOException {
        String server = "sip:" + address + ":" + port + ("udp".equals(transport) ? "" : ";transport=" + transport);
        KamailioNode node = new KamailioNode(name, address, port, server, notificationAddress,
                (int) frTimer.toMillis());
        node.launch();
        return node;
    }

    /** Starts a node from another config template; {@code placeholders} fill its @NAME@ markers. */
    public static KamailioNode startWithConfig(String name, int port, String template, java.util.Map<String, String> placeholders)
            throws IOException {
        KamailioNode node = new KamailioNode(name, "127.0.0.1", port, "sip:127.0.0.1:" + port, "", 5000, template, placeholders);
        node.launch();
        return node;
    }

    private void launch() throws IOException {
        String text;
        try (InputStream in = Objects.requireNonNull(getClass().getResourceAsStream(template), template)) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        for (java.util.Map.Entry<String, String> e : extra.entrySet()) {
            text = text.replace("@" + e.getKey() + "@", e.getValue());
        }
        String cfg = text.replace("@ADDR@", address).replace("@PORT@", Integer.toString(port))
                .replace("@SERVER_ADDRESS@", serverAddress).replace("@NOTIFY@", notificationAddress)
                .replace("@CTL@", ctlSocket().toString()).replace("@FR@", Integer.toString(frTimerMs));
        Files.deleteIfExists(ctlSocket()); // left behind by a killed process
        Path cfgFile = dir.resolve("kamailio.cfg");
        Files.writeString(cfgFile, cfg);
        ProcessBuilder pb = new ProcessBuilder(KAMAILIO.toString(), "-DD", "-E", "-f", cfgFile.toString(),
                "-m", "64", "-M", "8", "-P", dir.resolve("kamailio.pid").toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("kamailio.log").toFile());
        process = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("kamailio " + name + " exited at start:\n" + log());
            }
            if (Files.exists(ctlSocket()) && tryKamcmd("core.version") != null) {
                return;
            }
            pause(50);
        }
        throw new IOException("kamailio " + name + " did not open its ctl socket in 20 s:\n" + log());
    }

    public String name() {
        return name;
    }

    public int port() {
        return port;
    }

    public String serverAddress() {
        return serverAddress;
    }

    public Path ctlSocket() {
        return dir.resolve("kamailio.ctl");
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** dmq.list_nodes, one map per node (host, port, proto, resolved_ip, status, last_notification, local). */
    public List<Map<String, String>> listNodes() throws IOException {
        return parseStructs(kamcmd("dmq.list_nodes"));
    }

    /** htable.get: the value's text, or null when the key does not exist. */
    public String htableGet(String table, String key) throws IOException {
        String out = tryKamcmd("htable.get", table, key);
        if (out == null) {
            return null;
        }
        for (Map<String, String> struct : parseStructs(out)) {
            if (struct.containsKey("value")) {
                return struct.get("value");
            }
        }
        return null;
    }

    public String kamcmd(String... args) throws IOException {
        String out = tryKamcmd(args);
        if (out == null) {
            throw new IOException("kamcmd " + String.join(" ", args) + " failed on " + name);
        }
        return out;
    }

    /**
     * Sends a SIP MESSAGE to the node: its config stores the body under htable t=>USER (replicated over
     * DMQ) and calls dmq_bcast_message("mychannel", body, "text/plain").
     */
    public void sendMessage(String user, String body) throws IOException {
        String callId = UUID.randomUUID() + "@127.0.0.1";
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            int local = socket.getLocalPort();
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            String msg = "MESSAGE sip:" + user + "@" + address + ":" + port + " SIP/2.0\r\n"
                    + "Via: SIP/2.0/UDP 127.0.0.1:" + local + ";branch=z9hG4bK" + UUID.randomUUID().toString().replace("-", "") + "\r\n"
                    + "From: <sip:driver@127.0.0.1:" + local + ">;tag=" + Long.toHexString(System.nanoTime()) + "\r\n"
                    + "To: <sip:" + user + "@" + address + ":" + port + ">\r\n"
                    + "Call-ID: " + callId + "\r\n"
                    + "CSeq: 1 MESSAGE\r\n"
                    + "Max-Forwards: 70\r\n"
                    + "Content-Type: text/plain\r\n"
                    + "Content-Length: " + bytes.length + "\r\n\r\n" + body;
            byte[] data = msg.getBytes(StandardCharsets.UTF_8);
            socket.send(new DatagramPacket(data, data.length, new InetSocketAddress(address, port)));
            socket.setSoTimeout(5000);
            byte[] buf = new byte[4096];
            DatagramPacket reply = new DatagramPacket(buf, buf.length);
            socket.receive(reply);
            String text = new String(buf, 0, reply.getLength(), StandardCharsets.UTF_8);
            if (!text.startsWith("SIP/2.0 200")) {
                throw new IOException("MESSAGE to " + name + " answered: " + text.lines().findFirst().orElse(""));
            }
        }
    }

    public String log() {
        try {
            return Files.readString(dir.resolve("kamailio.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** SIGTERM and wait: a clean stop. */
    public void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        waitForExit();
    }

    /** SIGKILL to the main process and every child: the node vanishes without a word. */
    public void kill() {
        if (process == null) {
            return;
        }
        List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
        all.add(process.toHandle());
        all.forEach(ProcessHandle::destroyForcibly);
        waitForExit();
        for (ProcessHandle h : all) {
            h.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> null).join();
        }
    }

    /** Starts the same node again (same ports and config) after stop() or kill(). */
    public void restart() throws IOException {
        launch();
    }

    @Override
    public void close() {
        kill();
    }

    private void waitForExit() {
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String tryKamcmd(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(KAMCMD.toString());
        cmd.add("-s");
        cmd.add("unix:" + ctlSocket());
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            String text = new String(out, StandardCharsets.UTF_8);
            return p.exitValue() == 0 && !text.startsWith("error") ? text : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Parses kamcmd's "{ key: value ... }" blocks. */
    static List<Map<String, String>> parseStructs(String text) {
        List<Map<String, String>> out = new ArrayList<>();
        Map<String, String> current = null;
        for (String raw : text.split("\n")) {
            String line = raw.trim();
            if (line.equals("{")) {
                current = new LinkedHashMap<>();
            } else if (line.equals("}")) {
                if (current != null) {
                    out.add(current);
                }
                current = null;
            } else if (current != null) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    current.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
                }
            }
        }
        return out;
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

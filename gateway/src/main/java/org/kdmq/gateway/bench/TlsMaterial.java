package org.kdmq.gateway.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.kdmq.gateway.transport.TlsConfig;

/**
 * A self-signed keystore made with the JDK's keytool for the bench's TLS nodes. Peers are not verified
 * and no client certificate is asked for: the bench measures TLS's cost, it does not secure anything.
 */
record TlsMaterial(Path dir, TlsConfig config) implements AutoCloseable {
    private static final String PASSWORD = "kdmq-bench";

    static TlsMaterial selfSigned() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("kdmq-bench-tls");
        Path store = dir.resolve("bench.p12");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "bench", "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=kdmq-bench", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", PASSWORD,
                "-keypass", PASSWORD).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("keytool failed: " + output.trim());
        }
        return new TlsMaterial(dir, new TlsConfig(null, null, store, PASSWORD, null, null, null, "none", false));
    }

    @Override
    public void close() {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // a temporary directory left behind
        }
    }
}

package org.kdmq.gateway.transport;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Certificates made at test time with the JDK's keytool: a self-signed EC key pair per name (SAN
 * 127.0.0.1), as a PKCS#12 keystore and as PEM certificate + PKCS#8 key, and a trust store of them all.
 */
public final class TestCertificates {
    public static final String PASSWORD = "changeit";
    private final Path dir;

    public TestCertificates(Path dir) {
        this.dir = dir;
    }

    public record Identity(Path keyStore, Path certificatePem, Path privateKeyPem) {
    }

    public Identity create(String name) throws Exception {
        Path store = dir.resolve(name + ".p12");
        keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name,
                "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", store.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, PASSWORD.toCharArray());
        }
        Key key = ks.getKey(name, PASSWORD.toCharArray());
        Certificate cert = ks.getCertificate(name);
        Path certPem = dir.resolve(name + ".crt");
        Path keyPem = dir.resolve(name + ".key");
        Files.writeString(certPem, pem("CERTIFICATE", cert.getEncoded()));
        Files.writeString(keyPem, pem("PRIVATE KEY", key.getEncoded()));
        return new Identity(store, certPem, keyPem);
    }

    /** A PKCS#12 trust store holding the given certificates. */
    public Path trustStore(String name, List<Identity> trusted) throws Exception {
        Path store = dir.resolve(name + "-trust.p12");
        for (Identity id : trusted) {
            keytool("-importcert", "-noprompt", "-alias", id.certificatePem().getFileName().toString(),
                    "-file", id.certificatePem().toString(), "-storetype", "PKCS12", "-keystore", store.toString(),
                    "-storepass", PASSWORD);
        }
        return store;
    }

    /** One PEM file with the given certificates (a CA bundle). */
    public Path caBundle(String name, List<Identity> trusted) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (Identity id : trusted) {
            sb.append(Files.readString(id.certificatePem()));
        }
        Path out = dir.resolve(name + "-ca.pem");
        Files.writeString(out, sb.toString());
        return out;
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static void keytool(String... args) throws Exception {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(keytool.toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("keytool failed: " + out);
        }
    }
}

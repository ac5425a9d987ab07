package org.kdmq.gateway.transport;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Locale;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/** Builds Netty server and client SSL contexts from {@link TlsConfig}: PEM files or keystores. */
final class TlsContexts {
    private TlsContexts() {
    }

    static SslContext server(TlsConfig config) throws IOException, GeneralSecurityException {
        SslContextBuilder b;
        if (config.keyStore() != null) {
            b = SslContextBuilder.forServer(keyManagers(config));
        } else {
            b = SslContextBuilder.forServer(readable(config.certificate()).toFile(), readable(config.privateKey()).toFile());
        }
        TrustManagerFactory trust = trustManagers(config);
        if (trust != null) {
            b.trustManager(trust);
        } else if (config.trustCertificates() != null) {
            b.trustManager(readable(config.trustCertificates()).toFile());
        }
        b.clientAuth(clientAuth(config.clientAuth()));
        return b.build();
    }

    static SslContext client(TlsConfig config) throws IOException, GeneralSecurityException {
        SslContextBuilder b = SslContextBuilder.forClient();
        // Present our certificate too, for peers that verify clients (mutual TLS between nodes).
        if (config.keyStore() != null) {
            b.keyManager(keyManagers(config));
        } else if (config.certificate() != null && config.privateKey() != null) {
            b.keyManager(readable(config.certificate()).toFile(), readable(config.privateKey()).toFile());
        }
        if (!config.verifyServer()) {
            b.trustManager(InsecureTrustManagerFactory.INSTANCE);
        } else {
            TrustManagerFactory trust = trustManagers(config);
            if (trust != null) {
                b.trustManager(trust);
            } else if (config.trustCertificates() != null) {
                b.trustManager(readable(config.trustCertificates()).toFile());
            }
            // else: the JDK's default trust store
        }
        return b.build();
    }

    private static ClientAuth clientAuth(String mode) throws SSLException {
        if (mode == null) {
            return ClientAuth.NONE;
        }
        return switch (mode.toLowerCase(Locale.ROOT)) {
            case "none" -> ClientAuth.NONE;
            case "optional" -> ClientAuth.OPTIONAL;
            case "require", "required" -> ClientAuth.REQUIRE;
            default -> throw new SSLException("client auth must be none, optional or require: " + mode);
        };
    }

    private static KeyManagerFactory keyManagers(TlsConfig config) throws IOException, GeneralSecurityException {
        char[] password = config.keyStorePassword() == null ? new char[0] : config.keyStorePassword().toCharArray();
        KeyStore store = load(config.keyStore(), password);
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, password);
        return kmf;
    }

    private static TrustManagerFactory trustManagers(TlsConfig config) throws IOException, GeneralSecurityException {
        if (config.trustStore() == null) {
            return null;
        }
        char[] password = config.trustStorePassword() == null ? null : config.trustStorePassword().toCharArray();
        KeyStore store = load(config.trustStore(), password);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        return tmf;
    }

    private static KeyStore load(Path path, char[] password) throws IOException, GeneralSecurityException {
        String name = readable(path).getFileName().toString().toLowerCase(Locale.ROOT);
        KeyStore store = KeyStore.getInstance(name.endsWith(".jks") ? "JKS" : "PKCS12");
        try (InputStream in = Files.newInputStream(path)) {
            store.load(in, password);
        }
        return store;
    }

    private static Path readable(Path path) throws IOException {
        if (path == null) {
            throw new IOException("TLS file not configured");
        }
        if (!Files.isReadable(path)) {
            throw new IOException("cannot read TLS file " + path);
        }
        return path;
    }
}

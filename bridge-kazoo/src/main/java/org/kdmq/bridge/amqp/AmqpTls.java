package org.kdmq.bridge.amqp;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The SSLContext for amqps:// servers, from the kazoo module's amqps_ca_cert, amqps_cert, amqps_key
 * and amqps_verify_peer settings: PEM CA bundle (else the JVM's trust store), an optional client
 * certificate and PKCS#8 key, and peer verification on by default.
 */
public final class AmqpTls {
    private AmqpTls() {
    }

    public static SSLContext context(Path caBundle, Path certificate, Path privateKey, boolean verifyPeer)
            throws IOException, GeneralSecurityException {
        TrustManager[] trust;
        if (!verifyPeer) {
            trust = new TrustManager[] {new TrustEverything()};
        } else if (caBundle != null) {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate c : certificates(caBundle)) {
                store.setCertificateEntry("ca" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            trust = tmf.getTrustManagers();
        } else {
            trust = null; // the JVM's default trust store
        }
        KeyManagerFactory kmf = null;
        if (certificate != null || privateKey != null) {
            if (certificate == null || privateKey == null) {
                throw new IllegalArgumentException("a client certificate needs both --amqps-cert and --amqps-key");
            }
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            List<Certificate> chain = certificates(certificate);
            keys.setKeyEntry("client", privateKey(privateKey), new char[0], chain.toArray(Certificate[]::new));
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, new char[0]);
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), trust, null);
        return ctx;
    }

    static List<Certificate> certificates(Path pem) throws IOException, GeneralSecurityException {
        Collection<? extends Certificate> found = CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(pem)));
        if (found.isEmpty()) {
            throw new IllegalArgumentException("no certificate in " + pem);
        }
        return new ArrayList<>(found);
    }

    static PrivateKey privateKey(Path pem) throws IOException, GeneralSecurityException {
        String text = Files.readString(pem, StandardCharsets.US_ASCII);
        if (!text.contains("-----BEGIN PRIVATE KEY-----")) {
            throw new IllegalArgumentException(pem + " is not a PKCS#8 PEM key (BEGIN PRIVATE KEY)");
        }
        String base64 = text.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64));
        for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException tryNext) {
                // not this algorithm
            }
        }
        throw new IllegalArgumentException("unsupported private key in " + pem);
    }

    /** amqps_verify_peer 0: encryption without authentication of the broker. */
    private static final class TrustEverything implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}

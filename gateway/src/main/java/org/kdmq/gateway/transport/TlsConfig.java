package org.kdmq.gateway.transport;

import java.nio.file.Path;

/**
 * TLS material for the SIP listener and outbound TLS connections: a PEM certificate chain and PKCS#8
 * key, or a PKCS#12/JKS keystore; an optional trust store (PEM CA file or keystore) and whether clients
 * must present a certificate.
 *
 * @param clientAuth none, optional or require
 */
public record TlsConfig(Path certificate, Path privateKey, Path keyStore, String keyStorePassword, Path trustCertificates,
                        Path trustStore, String trustStorePassword, String clientAuth, boolean verifyServer) {
    @Override
    public String toString() {
        // Never print passwords.
        return "TlsConfig[certificate=" + certificate + ", keyStore=" + keyStore + ", trust=" + trustCertificates
                + "/" + trustStore + ", clientAuth=" + clientAuth + ", verifyServer=" + verifyServer + "]";
    }
}

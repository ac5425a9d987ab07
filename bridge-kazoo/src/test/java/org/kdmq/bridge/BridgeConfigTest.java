package org.kdmq.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kdmq.bridge.amqp.AmqpTls;
import org.kdmq.gateway.transport.TestCertificates;

class BridgeConfigTest {
    @TempDir
    Path tmp;

    @Test
    void configFileAddsToTheFlags() throws Exception {
        Path file = tmp.resolve("bridge.json");
        Files.writeString(file, "{\"amqp_connection\":[\"zone=eu;amqp://b2\"],"
                + "\"mirror\":[\"presence=presence:topic\",{\"channel\":\"dialog\",\"exchange\":\"dialog\",\"persistent\":true}],"
                + "\"subscribe\":[{\"exchange\":\"callmgr\",\"queue\":\"q\",\"routing\":\"#\"}],"
                + "\"route\":{\"consumer-event-presence\":\"presence\"}}");
        BridgeOptions o = new BridgeOptions();
        o.connections = new java.util.ArrayList<>(List.of("amqp://b1"));
        o.primaryZone = "local";
        o.bridgeConfig = file;
        o.heartbeatSeconds = 5;
        o.maxOutstanding = 10;
        o.publishBuffer = 10;
        o.amqpsVerifyPeer = 1;
        o.amqpsVerifyHostname = 1;
        KazooBridge bridge = new KazooBridge(o);
        assertTrue(bridge.enabled());
        bridge.validate();
        assertEquals(List.of("amqp://b1", "zone=eu;amqp://b2"), o.connections);
        assertEquals(2, o.mirrors.size());
        assertTrue(MirrorSpec.parse(o.mirrors.get(1)).persistent());
        assertEquals(List.of("consumer-event-presence=presence"), o.routes);

        Files.writeString(file, "[1,2]");
        BridgeOptions bad = new BridgeOptions();
        bad.bridgeConfig = file;
        assertThrows(IllegalArgumentException.class, () -> new KazooBridge(bad).validate());
    }

    @Test
    void amqpsContextsFromPemFiles() throws Exception {
        TestCertificates certs = new TestCertificates(tmp);
        TestCertificates.Identity broker = certs.create("broker");
        TestCertificates.Identity client = certs.create("client");
        SSLContext withCa = AmqpTls.context(certs.caBundle("ca", List.of(broker)), client.certificatePem(),
                client.privateKeyPem(), true);
        assertNotNull(withCa.getSocketFactory());
        assertNotNull(AmqpTls.context(null, null, null, false));
        assertThrows(IllegalArgumentException.class, () -> AmqpTls.context(null, client.certificatePem(), null, true));
        assertThrows(IllegalArgumentException.class,
                () -> AmqpTls.context(null, client.certificatePem(), client.certificatePem(), true), "not a key");
    }
}

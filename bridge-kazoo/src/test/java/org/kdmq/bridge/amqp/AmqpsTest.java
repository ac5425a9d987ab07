package org.kdmq.bridge.amqp;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Connection;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kdmq.gateway.transport.TestCertificates;

/**
 * amqps:// end to end: a TLS listener (certificates made at test time) in front of the real test
 * broker. The CA bundle, hostname verification and client certificates are all exercised.
 */
class AmqpsTest {
    @TempDir
    static Path dir;
    static TestCertificates.Identity broker;
    static TestCertificates.Identity client;
    static TestCertificates.Identity stranger;
    static Path ca;
    static Path clientCa;
    static InetSocketAddress plain;
    static String credentials;

    @BeforeAll
    static void certificates() throws Exception {
        TestCertificates certs = new TestCertificates(dir);
        broker = certs.create("broker"); // names 127.0.0.1 and localhost
        client = certs.create("client");
        stranger = certs.create("stranger");
        ca = certs.caBundle("broker", List.of(broker));
        clientCa = certs.caBundle("client", List.of(client));
        URI uri = TestBroker.uri();
        plain = new InetSocketAddress(uri.getHost(), uri.getPort() > 0 ? uri.getPort() : 5672);
        credentials = uri.getUserInfo() == null ? "guest:guest" : uri.getUserInfo();
    }

    private static Connection open(String host, int port, Path caBundle, Path cert, Path key, boolean verifyHostname)
            throws Exception {
        AmqpServer server = AmqpServer.parse(1, "amqps://" + credentials + "@" + host + ":" + port, "local");
        AmqpConnector connector = new AmqpConnector(BackoffPolicy.DEFAULT, Duration.ofSeconds(5),
                AmqpTls.context(caBundle, cert, key, true), "kdmq-amqps-test", verifyHostname);
        return connector.factory(server).newConnection(); // one attempt: failures surface here
    }

    @Test
    void publishesWithConfirmsOverTlsVerifiedByTheGivenCa() throws Exception {
        try (TlsProxy proxy = new TlsProxy("127.0.0.1", broker.certificatePem(), broker.privateKeyPem(), null, plain);
             Connection c = open("localhost", proxy.port(), ca, null, null, true);
             ConfirmingPublisher publisher = new ConfirmingPublisher(10, 10)) {
            assertTrue(c.isOpen());
            String exchange = "kdmq.amqps." + java.util.UUID.randomUUID();
            c.createChannel().exchangeDeclare(exchange, "topic", false, true, null);
            publisher.attach(c);
            publisher.publish(new ConfirmingPublisher.Message(exchange, "a.b", new AMQP.BasicProperties(),
                    "{}".getBytes(StandardCharsets.UTF_8))).get(10, TimeUnit.SECONDS);
            c.createChannel().exchangeDelete(exchange);
        }
    }

    @Test
    void anUntrustedBrokerOrAWrongHostNameIsRefused() throws Exception {
        try (TlsProxy proxy = new TlsProxy("127.0.0.2", broker.certificatePem(), broker.privateKeyPem(), null, plain)) {
            Path strangerCa = new TestCertificates(dir).caBundle("stranger", List.of(stranger));
            assertThrows(Exception.class, () -> open("127.0.0.2", proxy.port(), strangerCa, null, null, false),
                    "a certificate our CA bundle did not sign");
            // The broker's certificate names 127.0.0.1 and localhost, not 127.0.0.2.
            assertThrows(Exception.class, () -> open("127.0.0.2", proxy.port(), ca, null, null, true),
                    "amqps_verify_hostname 1");
            try (Connection c = open("127.0.0.2", proxy.port(), ca, null, null, false)) {
                assertTrue(c.isOpen(), "amqps_verify_hostname 0 accepts it");
            }
        }
    }

    @Test
    void aBrokerThatRequiresClientCertificatesGetsOurs() throws Exception {
        try (TlsProxy proxy = new TlsProxy("127.0.0.1", broker.certificatePem(), broker.privateKeyPem(), clientCa, plain)) {
            assertThrows(Exception.class, () -> open("127.0.0.1", proxy.port(), ca, null, null, true), "no client certificate");
            try (Connection c = open("127.0.0.1", proxy.port(), ca, client.certificatePem(), client.privateKeyPem(), true)) {
                assertTrue(c.isOpen());
            }
        }
    }
}

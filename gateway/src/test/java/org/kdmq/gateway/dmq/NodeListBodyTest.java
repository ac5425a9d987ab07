package org.kdmq.gateway.dmq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.kdmq.gateway.api.NodeAddress;
import org.kdmq.gateway.api.NodeStatus;
import org.kdmq.gateway.transport.Transport;

class NodeListBodyTest {

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void parsesKamailioListWithDuplicateSelfLine() throws Exception {
        // The body of fixtures/dmq/three-nodes-udp/14-kdmq.sip: k1 lists itself twice.
        byte[] body = bytes("sip:127.0.0.1:5292;status=active\r\nsip:127.0.0.1:5291;status=active\r\n"
                + "sip:127.0.0.1:5290;status=active\r\nsip:127.0.0.1:5290;status=active\r\n");
        List<NodeListBody.Line> lines = NodeListBody.parse(body, 1000);
        assertEquals(4, lines.size());
        assertEquals(NodeAddress.of("127.0.0.1", 5292, Transport.UDP), lines.get(0).address());
        assertEquals(NodeStatus.ACTIVE, lines.get(0).status());
        assertEquals(lines.get(2).address(), lines.get(3).address());
    }

    @Test
    void keepsTransportAndFormatsByteForByteAsKamailio() throws Exception {
        String kamailio = "sip:127.0.0.1:5292;transport=tcp;status=active\r\nsip:127.0.0.1:5290;transport=tcp;status=active\r\n";
        List<NodeListBody.Line> lines = NodeListBody.parse(bytes(kamailio), 1000);
        assertEquals(Transport.TCP, lines.get(0).address().transport());
        assertArrayEquals(bytes(kamailio), NodeListBody.format(lines));
    }

    @Test
    void acceptsKamailio56And6StatusNames() throws Exception {
        List<NodeListBody.Line> lines = NodeListBody.parse(bytes(
                "sip:10.0.0.1:5060;status=timeout\nsip:10.0.0.2:5060;status=pending\n"
                        + "sip:10.0.0.3:5060;status=not_active\nsip:10.0.0.4:5060;status=disabled\nsip:10.0.0.5:5060"),
                1000);
        assertEquals(NodeStatus.NOT_ACTIVE, lines.get(0).status());
        assertEquals(NodeStatus.NOT_ACTIVE, lines.get(1).status());
        assertEquals(NodeStatus.NOT_ACTIVE, lines.get(2).status());
        assertEquals(NodeStatus.DISABLED, lines.get(3).status());
        assertNull(lines.get(4).status());
    }

    @Test
    void emptyBodyIsAnEmptyList() throws Exception {
        assertTrue(NodeListBody.parse(new byte[0], 10).isEmpty());
        assertTrue(NodeListBody.parse(bytes("\r\n\r\n"), 10).isEmpty());
    }

    @Test
    void rejectsTheStrangersMalformedListNamingTheLine() {
        // fixtures/dmq/stranger-requests-and-deadlock/37-kdmq.sip: the body that deadlocks Kamailio 5.6.3.
        MalformedNodeListException e = assertThrows(MalformedNodeListException.class,
                () -> NodeListBody.parse(bytes("this is not a uri\r\nsip:;;;\r\n"), 1000));
        assertEquals(1, e.lineNumber());
        MalformedNodeListException second = assertThrows(MalformedNodeListException.class,
                () -> NodeListBody.parse(bytes("sip:10.0.0.1:5060;status=active\r\nsip:;;;\r\n"), 1000));
        assertEquals(2, second.lineNumber());
    }

    @Test
    void rejectsUnknownStatusAndTooManyNodes() {
        assertThrows(MalformedNodeListException.class,
                () -> NodeListBody.parse(bytes("sip:10.0.0.1:5060;status=sleepy\r\n"), 10));
        assertThrows(MalformedNodeListException.class,
                () -> NodeListBody.parse(bytes("sip:10.0.0.1:5060\r\nsip:10.0.0.2:5060\r\n"), 1));
    }

    @Test
    void formatsWithoutKamailiosOneKilobyteLimit() throws Exception {
        List<NodeListBody.Line> lines = new java.util.ArrayList<>();
        for (int i = 0; i < 300; i++) {
            lines.add(new NodeListBody.Line(NodeAddress.of("10.0." + (i / 250) + "." + (i % 250), 5060, Transport.UDP),
                    NodeStatus.ACTIVE));
        }
        byte[] body = NodeListBody.format(lines);
        assertTrue(body.length > 1024);
        assertEquals(lines, NodeListBody.parse(body, 1000));
    }
}

package org.kdmq.gateway.sip;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The recorded Kamailio 5.6.3 traffic in src/test/resources/fixtures/dmq (copied from ../shared/fixtures):
 * one file per UDP datagram or TCP segment, listed with proto, source and destination in INDEX.txt.
 */
public final class Fixtures {
    public static final List<String> SCENARIOS = List.of("three-nodes-udp", "three-nodes-tcp",
            "stranger-requests-and-deadlock", "htable-set-and-bcast");

    /** One recorded packet. proto is "udp" or "tcp" ("udp" where the index has no proto column). */
    public record Packet(String scenario, String file, String proto, String source, String destination, byte[] bytes) {
        public String name() {
            return scenario + "/" + file;
        }
    }

    private Fixtures() {
    }

    public static byte[] read(String scenario, String file) throws IOException {
        try (InputStream in = Fixtures.class.getResourceAsStream("/fixtures/dmq/" + scenario + "/" + file)) {
            if (in == null) {
                throw new IOException("missing fixture " + scenario + "/" + file);
            }
            return in.readAllBytes();
        }
    }

    public static List<Packet> packets(String scenario) throws IOException {
        String index = new String(read(scenario, "INDEX.txt"), StandardCharsets.UTF_8);
        List<Packet> out = new ArrayList<>();
        for (String line : index.split("\n")) {
            String[] cols = line.split("\t");
            if (cols.length < 4 || !cols[0].endsWith(".sip")) {
                continue;
            }
            boolean hasProto = cols.length >= 5;
            String proto = hasProto ? cols[2] : "udp";
            String source = hasProto ? cols[3] : cols[2];
            String destination = hasProto ? cols[4] : cols[3];
            out.add(new Packet(scenario, cols[0], proto, source.trim(), destination.trim(), read(scenario, cols[0])));
        }
        return out;
    }

    public static List<Packet> all() throws IOException {
        List<Packet> out = new ArrayList<>();
        for (String s : SCENARIOS) {
            out.addAll(packets(s));
        }
        return out;
    }

    /** TCP packets grouped into byte streams per direction of each connection, in recorded order. */
    public static Map<String, byte[]> tcpStreams(String scenario) throws IOException {
        Map<String, java.io.ByteArrayOutputStream> streams = new LinkedHashMap<>();
        for (Packet p : packets(scenario)) {
            if (p.proto().equals("tcp")) {
                streams.computeIfAbsent(p.source() + ">" + p.destination(), k -> new java.io.ByteArrayOutputStream())
                        .writeBytes(p.bytes());
            }
        }
        Map<String, byte[]> out = new LinkedHashMap<>();
        streams.forEach((k, v) -> out.put(k, v.toByteArray()));
        return out;
    }
}

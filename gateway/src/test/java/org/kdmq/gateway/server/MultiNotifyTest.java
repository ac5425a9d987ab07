package org.kdmq.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.kdmq.gateway.server.TestNodes.await;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsSection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.kdmq.gateway.api.NodeAddress;
import org.kdmq.gateway.api.NodeInfo;
import org.kdmq.gateway.dmq.DmqSettings;
import org.kdmq.gateway.transport.Transport;

/**
 * multi_notify against a DNS server of the test's own (Netty codec-dns on 127.0.0.1): the notification
 * address's host has two A records and an SRV record, each naming a seed node on its own loopback IP.
 * The new node must notify all three, as Kamailio's get_dmq_host_list does.
 */
class MultiNotifyTest {
    private final List<GatewayServer> nodesToClose = new java.util.ArrayList<>();
    private NioEventLoopGroup dnsGroup;

    @AfterEach
    void stop() {
        nodesToClose.forEach(GatewayServer::abort);
        if (dnsGroup != null) {
            dnsGroup.shutdownGracefully();
        }
    }

    private GatewayServer seed(String ip, int port) throws Exception {
        DmqSettings dmq = DmqSettings.builder(NodeAddress.of(ip, port, Transport.UDP)).pingInterval(Duration.ofHours(1)).build();
        GatewayServer s = GatewayServer.start(GatewayConfig.of(dmq).withIoThreads(1));
        nodesToClose.add(s);
        return s;
    }

    @Test
    void resolvesSrvAAndAaaaAndNotifiesEveryHost() throws Exception {
        int port = TestNodes.freePort();
        GatewayServer a = seed("127.0.0.2", port);
        GatewayServer b = seed("127.0.0.3", port);
        GatewayServer c = seed("127.0.0.4", port);
        InetSocketAddress dns = startDns(Map.of(
                "cluster.test.", List.of(ip("127.0.0.2"), ip("127.0.0.3")),
                "srv-target.test.", List.of(ip("127.0.0.4"))),
                Map.of("cluster.test.", new Srv("srv-target.test.", port)));

        DmqSettings joiner = DmqSettings.builder(NodeAddress.of("127.0.0.1", TestNodes.freePort(), Transport.UDP))
                .notificationAddresses(List.of("sip:cluster.test:" + port))
                .multiNotify(true)
                .dnsServers(List.of(dns))
                .pingInterval(Duration.ofHours(1))
                .build();
        GatewayServer n = GatewayServer.start(GatewayConfig.of(joiner).withIoThreads(1));
        nodesToClose.add(n);

        Set<String> expected = Set.of("sip:127.0.0.2:" + port, "sip:127.0.0.3:" + port, "sip:127.0.0.4:" + port);
        await("the joiner lists all three seeds, all active", Duration.ofSeconds(20), () -> n.dmq().nodes().stream()
                .filter(i -> !i.local() && i.isActive()).map(i -> i.address().toUriString()).collect(Collectors.toSet())
                .equals(expected));
        for (GatewayServer seed : List.of(a, b, c)) {
            await("each seed knows the joiner", Duration.ofSeconds(20), () -> seed.dmq().nodes().stream()
                    .anyMatch(i -> i.address().equals(joiner.serverAddress()) && i.isActive()));
        }
        assertEquals(4, n.dmq().nodes().stream().map(NodeInfo::address).distinct().count());
    }

    private record Srv(String target, int port) {
    }

    private static byte[] ip(String text) throws Exception {
        return InetAddress.getByName(text).getAddress();
    }

    private InetSocketAddress startDns(Map<String, List<byte[]>> a, Map<String, Srv> srv) throws Exception {
        dnsGroup = new NioEventLoopGroup(1);
        Channel ch = new Bootstrap().group(dnsGroup).channel(NioDatagramChannel.class)
                .handler(new ChannelInitializer<NioDatagramChannel>() {
                    @Override
                    protected void initChannel(NioDatagramChannel ch) {
                        ch.pipeline().addLast(new DatagramDnsQueryDecoder(), new DatagramDnsResponseEncoder(),
                                new SimpleChannelInboundHandler<DatagramDnsQuery>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, DatagramDnsQuery query) {
                                        ctx.writeAndFlush(answer(query, a, srv));
                                    }
                                });
                    }
                }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        return (InetSocketAddress) ch.localAddress();
    }

    private static DatagramDnsResponse answer(DatagramDnsQuery query, Map<String, List<byte[]>> a, Map<String, Srv> srv) {
        DatagramDnsResponse response = new DatagramDnsResponse(query.recipient(), query.sender(), query.id());
        DnsQuestion q = query.recordAt(DnsSection.QUESTION);
        response.addRecord(DnsSection.QUESTION, q);
        String name = q.name().endsWith(".") ? q.name() : q.name() + ".";
        if (q.type() == DnsRecordType.A) {
            for (byte[] ip : a.getOrDefault(name, List.of())) {
                response.addRecord(DnsSection.ANSWER, new DefaultDnsRawRecord(q.name(), DnsRecordType.A, 60,
                        Unpooled.wrappedBuffer(ip)));
            }
        } else if (q.type() == DnsRecordType.SRV && srv.containsKey(name)) {
            Srv s = srv.get(name);
            ByteBuf rdata = Unpooled.buffer();
            rdata.writeShort(10).writeShort(1).writeShort(s.port());
            for (String label : s.target().split("\\.")) {
                byte[] bytes = label.getBytes(StandardCharsets.US_ASCII);
                rdata.writeByte(bytes.length).writeBytes(bytes);
            }
            rdata.writeByte(0);
            response.addRecord(DnsSection.ANSWER, new DefaultDnsRawRecord(q.name(), DnsRecordType.SRV, 60, rdata));
        }
        return response;
    }
}

package org.kdmq.gateway.dmq;

import io.netty.buffer.ByteBuf;
import io.netty.channel.AddressedEnvelope;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DefaultDnsRecordDecoder;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.DnsSection;
import io.netty.resolver.ResolvedAddressTypes;
import io.netty.util.NetUtil;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsServerAddressStreamProvider;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import io.netty.resolver.dns.SequentialDnsServerAddressStreamProvider;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.TimeUnit;
import org.kdmq.gateway.api.NodeAddress;
import org.kdmq.gateway.sip.message.SipUri;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the notification_address modparams into nodes. Without multi_notify each address is one node.
 * With it, the single address's host is looked up like Kamailio's get_dmq_host_list: SRV records
 * (targets' A and AAAA records, with the SRV port; only records matching the URI's port when it has
 * one), then the host's own A and AAAA records; each result becomes a node. Lookups use Netty's DNS
 * resolver and run on a worker thread.
 */
final class NotificationAddresses {
    private static final Logger LOG = LoggerFactory.getLogger(NotificationAddresses.class);
    private static final long DNS_TIMEOUT_MS = 5000;

    private final DmqSettings settings;
    private final HostResolver resolver;
    private final List<InetSocketAddress> nameServers;
    private final Set<InetAddress> resolvedIps = new CopyOnWriteArraySet<>();

    NotificationAddresses(DmqSettings settings, HostResolver resolver) {
        this.settings = settings;
        this.resolver = resolver;
        this.nameServers = settings.dnsServers();
    }

    /** The nodes to notify, in configuration order, duplicates dropped. Blocks: call on a worker. */
    List<NodeAddress> resolve() {
        Set<NodeAddress> out = new LinkedHashSet<>();
        for (String text : settings.notificationAddresses()) {
            SipUri uri;
            try {
                uri = SipUri.parse(text);
            } catch (RuntimeException e) {
                LOG.error("event=bad_notification_address address={} error={}", text, e.getMessage());
                continue;
            }
            if (settings.multiNotify()) {
                out.addAll(lookUpAll(uri));
            } else {
                out.add(NodeAddress.fromUri(uri));
            }
        }
        for (NodeAddress a : out) {
            InetAddress ip = resolver.resolveQuietly(a.hostForSocket());
            if (ip != null) {
                resolvedIps.add(ip);
            }
        }
        return new ArrayList<>(out);
    }

    Set<InetAddress> resolvedIps() {
        return resolvedIps;
    }

    private List<NodeAddress> lookUpAll(SipUri uri) {
        NodeAddress base = NodeAddress.fromUri(uri);
        if (isIpLiteral(base.hostForSocket())) {
            return List.of(base);
        }
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        DnsNameResolver dns = new DnsNameResolverBuilder(group.next())
                .channelType(NioDatagramChannel.class)
                .nameServerProvider(nameServerProvider())
                .resolvedAddressTypes(ResolvedAddressTypes.IPV4_PREFERRED)
                .queryTimeoutMillis(DNS_TIMEOUT_MS)
                .searchDomains(List.of()) // names are taken as given, as Kamailio's get_record does
                .build();
        List<NodeAddress> nodes = new ArrayList<>();
        try {
            for (InetSocketAddress target : srvTargets(dns, base.hostForSocket(), uri.port())) {
                for (InetAddress ip : addresses(dns, target.getHostString())) {
                    nodes.add(NodeAddress.of(hostText(ip), target.getPort(), base.transport()));
                }
            }
            for (InetAddress ip : addresses(dns, base.hostForSocket())) {
                nodes.add(NodeAddress.of(hostText(ip), base.port(), base.transport()));
            }
        } finally {
            dns.close();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
        if (nodes.size() > settings.maxNodes()) {
            nodes = nodes.subList(0, settings.maxNodes());
        }
        LOG.info("event=multi_notify host={} nodes={}", base.host(), nodes);
        return nodes;
    }

    private DnsServerAddressStreamProvider nameServerProvider() {
        return nameServers.isEmpty() ? DnsServerAddressStreamProviders.platformDefault()
                : new SequentialDnsServerAddressStreamProvider(nameServers.toArray(InetSocketAddress[]::new));
    }

    private static List<InetSocketAddress> srvTargets(DnsNameResolver dns, String host, int uriPort) {
        List<InetSocketAddress> targets = new ArrayList<>();
        AddressedEnvelope<DnsResponse, InetSocketAddress> envelope = null;
        try {
            envelope = dns.query(new DefaultDnsQuestion(host, DnsRecordType.SRV)).get(DNS_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            DnsResponse response = envelope.content();
            for (int i = 0; i < response.count(DnsSection.ANSWER); i++) {
                DnsRecord record = response.recordAt(DnsSection.ANSWER, i);
                if (record.type() == DnsRecordType.SRV && record instanceof DnsRawRecord raw) {
                    ByteBuf rdata = raw.content().duplicate();
                    rdata.skipBytes(4); // priority, weight
                    int port = rdata.readUnsignedShort();
                    String target = DefaultDnsRecordDecoder.decodeName(rdata);
                    if (uriPort > 0 && uriPort != port) {
                        continue;
                    }
                    targets.add(InetSocketAddress.createUnresolved(stripDot(target), port));
                }
            }
        } catch (Exception e) {
            LOG.debug("event=srv_lookup_failed host={} error={}", host, e.toString());
        } finally {
            if (envelope != null) {
                envelope.release();
            }
        }
        return targets;
    }

    private static List<InetAddress> addresses(DnsNameResolver dns, String host) {
        List<InetAddress> out = new ArrayList<>();
        for (DnsRecordType type : List.of(DnsRecordType.A, DnsRecordType.AAAA)) {
            AddressedEnvelope<DnsResponse, InetSocketAddress> envelope = null;
            try {
                envelope = dns.query(new DefaultDnsQuestion(host, type)).get(DNS_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                DnsResponse response = envelope.content();
                for (int i = 0; i < response.count(DnsSection.ANSWER); i++) {
                    DnsRecord record = response.recordAt(DnsSection.ANSWER, i);
                    if (record.type() == type && record instanceof DnsRawRecord raw) {
                        byte[] ip = new byte[raw.content().readableBytes()];
                        raw.content().getBytes(raw.content().readerIndex(), ip);
                        out.add(InetAddress.getByAddress(ip));
                    }
                }
            } catch (Exception e) {
                LOG.debug("event=address_lookup_failed host={} type={} error={}", host, type, e.toString());
            } finally {
                if (envelope != null) {
                    envelope.release();
                }
            }
        }
        return out;
    }

    private static String hostText(InetAddress ip) {
        return ip instanceof Inet6Address ? "[" + ip.getHostAddress() + "]" : ip.getHostAddress();
    }

    private static String stripDot(String name) {
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }

    private static boolean isIpLiteral(String host) {
        return NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host);
    }
}

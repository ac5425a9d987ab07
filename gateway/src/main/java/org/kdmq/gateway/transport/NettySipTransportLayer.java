package org.kdmq.gateway.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.kdmq.gateway.sip.codec.SipEncoder;
import org.kdmq.gateway.sip.codec.SipParseException;
import org.kdmq.gateway.sip.message.SipMessage;
import org.kdmq.gateway.sip.message.SipRequest;
import org.kdmq.gateway.sip.message.SipResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIP over UDP, TCP and TLS on Netty (epoll when available, NIO otherwise). Outbound TCP/TLS
 * connections are pooled per destination and reused; accepted ones serve responses on the flow the
 * request came on (RFC 3261 section 18.2.2). Idle connections close after the idle timeout.
 */
public final class NettySipTransportLayer implements SipTransportLayer {
    private static final Logger LOG = LoggerFactory.getLogger(NettySipTransportLayer.class);

    private final TransportSettings settings;
    private final TransportStats stats = new TransportStats();
    private final Map<PoolKey, CompletableFuture<Channel>> pool = new ConcurrentHashMap<>();
    private final boolean epoll = Epoll.isAvailable();
    private volatile Consumer<InboundMessage> inboundHandler = m -> { };
    private EventLoopGroup bossGroup;
    private EventLoopGroup ioGroup;
    /** At least the largest UDP payload (65,507 bytes over IPv4, 65,527 over IPv6). */
    private static final int MAX_UDP_PAYLOAD = 65_535;
    /**
     * Datagrams per recvmmsg. At 8 a loaded node made about 0.65 system calls per message (a read, a
     * getsockopt Netty makes with each, an AMQP or SIP flush: one round per 8 datagrams); at 32, 0.3.
     */
    private static final int DATAGRAMS_PER_READ = 32;
    private DatagramChannel udpChannel;
    private Channel tcpServer;
    private Channel tlsServer;
    private SslContext serverSsl;
    private SslContext clientSsl;

    private record PoolKey(Transport transport, InetSocketAddress address) {
    }

    public NettySipTransportLayer(TransportSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** Binds every configured listener; on failure nothing stays bound and the exception names the address. */
    public NettySipTransportLayer start() throws IOException {
        try {
            if (settings.tls() != null || settings.tlsConfig() != null) {
                if (settings.tls() != null) {
                    serverSsl = TlsContexts.server(settings.tlsConfig());
                }
                clientSsl = TlsContexts.client(settings.tlsConfig());
            }
        } catch (GeneralSecurityException e) {
            throw new IOException("TLS setup failed: " + e.getMessage(), e);
        }
        bossGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("sip-accept", true), ioHandlers());
        ioGroup = new MultiThreadIoEventLoopGroup(settings.ioThreads(), new DefaultThreadFactory("sip-io", true),
                ioHandlers());
        try {
            if (settings.udp() != null) {
                Bootstrap udp = new Bootstrap().group(ioGroup)
                        .channel(epoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
                        .option(ChannelOption.SO_RCVBUF, 4 * 1024 * 1024)
                        .option(ChannelOption.SO_SNDBUF, 4 * 1024 * 1024)
                        // Netty reads datagrams into 2 KiB buffers by default and truncates the rest: a
                        // node list of 50 nodes is already larger. Read up to the largest UDP payload.
                        .option(ChannelOption.RCVBUF_ALLOCATOR, epoll
                                ? new DatagramReadBuffers(MAX_UDP_PAYLOAD * DATAGRAMS_PER_READ)
                                : new FixedRecvByteBufAllocator(MAX_UDP_PAYLOAD));
                if (epoll) {
                    // recvmmsg: up to DATAGRAMS_PER_READ datagrams per system call, each still up to the
                    // largest UDP payload (one buffer shared by them, read into again once they are decoded).
                    udp.option(io.netty.channel.epoll.EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, MAX_UDP_PAYLOAD);
                }
                udpChannel = (DatagramChannel) bind(udp
                        .handler(new ChannelInitializer<DatagramChannel>() {
                            @Override
                            protected void initChannel(DatagramChannel ch) {
                                ch.pipeline().addLast(new SipDatagramDecoder(settings.limits()), new InboundHandler(Transport.UDP));
                            }
                        }).bind(settings.udp()), "UDP", settings.udp());
            }
            if (settings.tcp() != null) {
                tcpServer = bind(serverBootstrap(Transport.TCP).bind(settings.tcp()), "TCP", settings.tcp());
            }
            if (settings.tls() != null) {
                tlsServer = bind(serverBootstrap(Transport.TLS).bind(settings.tls()), "TLS", settings.tls());
            }
        } catch (IOException e) {
            close();
            throw e;
        }
        LOG.info("event=sip_listening udp={} tcp={} tls={} epoll={}", localAddress(Transport.UDP),
                localAddress(Transport.TCP), localAddress(Transport.TLS), epoll);
        return this;
    }

    private Channel bind(ChannelFuture future, String what, InetSocketAddress address) throws IOException {
        future.awaitUninterruptibly();
        if (!future.isSuccess()) {
            BindException e = new BindException("cannot listen on " + what + " " + address.getHostString() + ":"
                    + address.getPort() + ": " + future.cause().getMessage());
            e.initCause(future.cause());
            throw e;
        }
        return future.channel();
    }

    private ServerBootstrap serverBootstrap(Transport transport) {
        return new ServerBootstrap().group(bossGroup, ioGroup)
                .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        stats.connectionsAccepted.increment();
                        initStream(ch, transport, true, null);
                        // A request to the peer's own address may reuse this connection.
                        pool.putIfAbsent(new PoolKey(transport, ch.remoteAddress()), CompletableFuture.completedFuture(ch));
                    }
                });
    }

    private void initStream(SocketChannel ch, Transport transport, boolean server, InetSocketAddress peer) {
        ChannelPipeline p = ch.pipeline();
        if (transport == Transport.TLS) {
            SSLEngine engine = server ? serverSsl.newEngine(ch.alloc())
                    : clientSsl.newEngine(ch.alloc(), peer.getHostString(), peer.getPort());
            if (!server && settings.tlsConfig().verifyServer()) {
                SSLParameters params = engine.getSSLParameters();
                params.setEndpointIdentificationAlgorithm("HTTPS");
                engine.setSSLParameters(params);
            }
            p.addLast("tls", new SslHandler(engine));
        }
        long idle = settings.idleTimeout().toMillis();
        p.addLast("idle", new IdleStateHandler(0, 0, idle, TimeUnit.MILLISECONDS));
        p.addLast("framer", new SipStreamDecoder(settings.limits()));
        p.addLast("sip", new InboundHandler(transport));
        ch.closeFuture().addListener(f -> {
            stats.connectionsClosed.increment();
            pool.entrySet().removeIf(e -> e.getValue().isDone() && !e.getValue().isCompletedExceptionally()
                    && e.getValue().getNow(null) == ch);
        });
    }

    private IoHandlerFactory ioHandlers() {
        return epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    /** The network thread reading the UDP listener (without one, one of the others). */
    public EventLoop mainLoop() {
        return udpChannel != null ? udpChannel.eventLoop() : ioGroup.next();
    }

    public TransportStats stats() {
        return stats;
    }

    @Override
    public void setInboundHandler(Consumer<InboundMessage> handler) {
        this.inboundHandler = Objects.requireNonNull(handler, "handler");
    }

    @Override
    public InetSocketAddress localAddress(Transport transport) {
        Channel ch = switch (transport) {
            case UDP -> udpChannel;
            case TCP -> tcpServer;
            case TLS -> tlsServer;
        };
        return ch == null ? null : (InetSocketAddress) ch.localAddress();
    }

    @Override
    public CompletableFuture<Void> send(SipMessage message, Transport transport, InetSocketAddress destination) {
        if (transport == Transport.UDP) {
            return sendDatagram(message, destination);
        }
        return connection(transport, destination).thenCompose(ch -> write(ch, message));
    }

    @Override
    public CompletableFuture<Void> sendResponse(SipResponse response, InboundMessage request) {
        if (request.transport() == Transport.UDP) {
            return sendDatagram(response, ResponseRouting.udpResponseAddress(response, request));
        }
        if (request.flow() instanceof StreamFlow flow && flow.isOpen()) {
            return write(flow.channel, response);
        }
        // The connection is gone: open one to the Via's received/sent-by (RFC 3261 section 18.2.2).
        InetSocketAddress target = ResponseRouting.streamResponseAddress(response, request);
        return connection(request.transport(), target).thenCompose(ch -> write(ch, response));
    }

    private CompletableFuture<Void> sendDatagram(SipMessage message, InetSocketAddress destination) {
        DatagramChannel ch = udpChannel;
        if (ch == null) {
            return CompletableFuture.failedFuture(new IOException("no UDP listener to send from"));
        }
        if (destination.isUnresolved()) {
            return CompletableFuture.failedFuture(new IOException("unresolved destination " + destination));
        }
        return counted(ch, new DatagramPacket(SipEncoder.encode(message, ch.alloc()), destination));
    }

    private CompletableFuture<Void> write(Channel ch, SipMessage message) {
        return counted(ch, SipEncoder.encode(message, ch.alloc()));
    }

    /** Writes through the channel's batched writer; the outcome as a future, counted as sent or failed. */
    private CompletableFuture<Void> counted(Channel ch, Object message) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        BatchedWriter.of(ch).write(message, f -> {
            if (f.isSuccess()) {
                stats.sent.increment();
                result.complete(null);
            } else {
                stats.sendFailures.increment();
                result.completeExceptionally(f.cause());
            }
        });
        return result;
    }

    /** A pooled connection to the destination; concurrent callers share one connection attempt. */
    private CompletableFuture<Channel> connection(Transport transport, InetSocketAddress destination) {
        if (transport == Transport.TLS && clientSsl == null) {
            return CompletableFuture.failedFuture(new IOException("TLS is not configured"));
        }
        if (destination.isUnresolved()) {
            return CompletableFuture.failedFuture(new IOException("unresolved destination " + destination));
        }
        PoolKey key = new PoolKey(transport, destination);
        while (true) {
            CompletableFuture<Channel> existing = pool.get(key);
            if (existing != null) {
                Channel ch = existing.getNow(null);
                if (ch == null && !existing.isDone()) {
                    return existing; // being connected
                }
                if (ch != null && ch.isActive()) {
                    return existing;
                }
                pool.remove(key, existing); // failed or closed: try afresh
                continue;
            }
            CompletableFuture<Channel> attempt = new CompletableFuture<>();
            if (pool.putIfAbsent(key, attempt) != null) {
                continue;
            }
            connect(transport, destination, attempt, key);
            return attempt;
        }
    }

    private void connect(Transport transport, InetSocketAddress destination, CompletableFuture<Channel> attempt, PoolKey key) {
        Bootstrap b = new Bootstrap().group(ioGroup)
                .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) settings.connectTimeout().toMillis())
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        initStream(ch, transport, false, destination);
                    }
                });
        b.connect(destination).addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                pool.remove(key, attempt);
                stats.sendFailures.increment();
                attempt.completeExceptionally(f.cause());
                return;
            }
            Channel ch = f.channel();
            stats.connectionsOpened.increment();
            LOG.debug("event=connection_opened transport={} peer={}", transport, destination);
            if (transport == Transport.TLS) {
                ch.pipeline().get(SslHandler.class).handshakeFuture().addListener(h -> {
                    if (h.isSuccess()) {
                        attempt.complete(ch);
                    } else {
                        pool.remove(key, attempt);
                        attempt.completeExceptionally(h.cause());
                        ch.close();
                    }
                });
            } else {
                attempt.complete(ch);
            }
        });
    }

    @Override
    public void close() {
        for (Channel ch : new Channel[] {udpChannel, tcpServer, tlsServer}) {
            if (ch != null) {
                ch.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
            }
        }
        pool.values().forEach(f -> f.thenAccept(Channel::close));
        pool.clear();
        if (ioGroup != null) {
            ioGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        if (bossGroup != null) {
            bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    /** A TCP/TLS connection as a flow. */
    static final class StreamFlow implements Flow {
        final Channel channel;
        private final Transport transport;

        StreamFlow(Channel channel, Transport transport) {
            this.channel = channel;
            this.transport = transport;
        }

        @Override
        public Transport transport() {
            return transport;
        }

        @Override
        public boolean isOpen() {
            return channel.isActive();
        }

        @Override
        public String toString() {
            return transport + " " + channel.remoteAddress() + "->" + channel.localAddress();
        }
    }

    /** The UDP socket as a flow: always open while we listen. */
    private record DatagramFlow(Channel channel) implements Flow {
        @Override
        public Transport transport() {
            return Transport.UDP;
        }

        @Override
        public boolean isOpen() {
            return channel.isActive();
        }
    }

    /** Turns decoded frames into envelopes; answers what can be answered of what failed to parse. */
    private final class InboundHandler extends SimpleChannelInboundHandler<DecodedFrame> {
        private final Transport transport;
        private Flow flow;

        InboundHandler(Transport transport) {
            this.transport = transport;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            flow = transport == Transport.UDP ? new DatagramFlow(ctx.channel()) : new StreamFlow(ctx.channel(), transport);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DecodedFrame frame) {
            InetSocketAddress remote = frame.sender() != null ? frame.sender() : (InetSocketAddress) ctx.channel().remoteAddress();
            InetSocketAddress local = frame.recipient() != null ? frame.recipient() : (InetSocketAddress) ctx.channel().localAddress();
            if (frame.error() != null) {
                rejectUnparsable(ctx, frame, remote, local);
                return;
            }
            stats.received.increment();
            SipMessage message = frame.message();
            if (message instanceof SipRequest request) {
                message = ResponseRouting.stampReceived(request, remote);
            }
            if (LOG.isDebugEnabled()) {
                LOG.debug("event=sip_in transport={} peer={} message=\"{}\"", transport, remote, message);
            }
            try {
                inboundHandler.accept(new InboundMessage(message, transport, remote, local, flow));
            } catch (RuntimeException e) {
                LOG.error("event=inbound_handler_failed peer={} error={}", remote, e.toString(), e);
            }
        }

        private void rejectUnparsable(ChannelHandlerContext ctx, DecodedFrame frame, InetSocketAddress remote,
                                      InetSocketAddress local) {
            stats.parseErrors.increment();
            SipParseException error = frame.error();
            SipRequest partial = error.partialRequest().orElse(null);
            if (partial != null && !"ACK".equalsIgnoreCase(partial.method())) {
                LOG.info("event=bad_request transport={} peer={} reason=\"{}\"", transport, remote, error.getMessage());
                SipResponse answer = ResponseRouting.badRequest(ResponseRouting.stampReceived(partial, remote), error.reason());
                InboundMessage inbound = new InboundMessage(partial, transport, remote, local, flow);
                stats.badRequestsAnswered.increment();
                CompletableFuture<Void> sent = sendResponse(answer, inbound);
                if (frame.fatal()) {
                    sent.whenComplete((v, e) -> ctx.close());
                }
            } else {
                stats.dropped.increment();
                LOG.debug("event=unparsable_dropped transport={} peer={} reason=\"{}\"", transport, remote, error.getMessage());
                if (frame.fatal()) {
                    ctx.close();
                }
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof IdleStateEvent) {
                LOG.debug("event=connection_idle_closed transport={} peer={}", transport, ctx.channel().remoteAddress());
                ctx.close();
                return;
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("event=connection_error transport={} peer={} error={}", transport, ctx.channel().remoteAddress(),
                    cause.toString());
            if (transport != Transport.UDP) {
                ctx.close();
            }
        }
    }

}

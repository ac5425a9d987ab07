package org.kdmq.bridge.amqp;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * A TLS listener in front of the test broker's plain AMQP port, so amqps:// is tested end to end (TLS
 * handshake, CA and hostname checks, client certificates) without reconfiguring the broker.
 */
final class TlsProxy implements AutoCloseable {
    private final EventLoopGroup group = new NioEventLoopGroup(1);
    private final Channel server;

    /** @param clientCa when not null, clients must present a certificate it signed */
    TlsProxy(String bindHost, Path certificate, Path key, Path clientCa, InetSocketAddress broker) throws Exception {
        SslContextBuilder b = SslContextBuilder.forServer(certificate.toFile(), key.toFile());
        if (clientCa != null) {
            b.trustManager(clientCa.toFile()).clientAuth(ClientAuth.REQUIRE);
        }
        SslContext tls = b.build();
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.AUTO_READ, false)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel client) {
                        client.pipeline().addLast(tls.newHandler(client.alloc()), new Frontend(broker));
                    }
                }).bind(bindHost, 0).sync().channel();
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Client side: opens the broker connection, then relays bytes both ways. */
    private static final class Frontend extends ChannelInboundHandlerAdapter {
        private final InetSocketAddress broker;
        private Channel backend;

        Frontend(InetSocketAddress broker) {
            this.broker = broker;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            Channel client = ctx.channel();
            new Bootstrap().group(client.eventLoop()).channel(NioSocketChannel.class)
                    .handler(new Relay(client)).connect(broker).addListener((ChannelFutureListener) f -> {
                        if (f.isSuccess()) {
                            backend = f.channel();
                            client.read();
                        } else {
                            client.close();
                        }
                    });
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            backend.writeAndFlush(msg).addListener((ChannelFutureListener) f -> {
                if (f.isSuccess()) {
                    ctx.channel().read();
                } else {
                    f.channel().close();
                }
            });
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (backend != null) {
                backend.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // a failed handshake: the client sees the connection fail
        }
    }

    /** Broker side: relays what the broker sends back to the TLS client. */
    private static final class Relay extends ChannelInboundHandlerAdapter {
        private final Channel client;

        Relay(Channel client) {
            this.client = client;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            client.writeAndFlush((ByteBuf) msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            client.close();
        }
    }
}

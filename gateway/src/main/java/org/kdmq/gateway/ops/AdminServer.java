package org.kdmq.gateway.ops;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operators' HTTP endpoint on one listener: {@code POST /RPC} (JSON-RPC 2.0), {@code GET
 * /health/live}, {@code GET /health/ready} and {@code GET /metrics} (Prometheus text). RPC work runs
 * on the given executor, never on the event loop. Optional basic auth or bearer token.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
    private static final int MAX_BODY = 1024 * 1024;
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    /** What /health/ready reports: ready or not, and a JSON-able detail. */
    public interface Readiness {
        boolean ready();

        Object detail();
    }

    private final InetSocketAddress listen;
    private final JsonRpcDispatcher rpc;
    private final Readiness readiness;
    private final Supplier<String> metrics;
    private final Executor executor;
    private final String expectedAuthorization;
    private EventLoopGroup group;
    private Channel channel;

    /**
     * @param authorization null for none; "user:password" for basic auth; "Bearer TOKEN" for a token
     */
    public AdminServer(InetSocketAddress listen, JsonRpcDispatcher rpc, Readiness readiness, Supplier<String> metrics,
                       Executor executor, String authorization) {
        this.listen = listen;
        this.rpc = rpc;
        this.readiness = readiness;
        this.metrics = metrics;
        this.executor = executor;
        this.expectedAuthorization = authorization == null ? null
                : authorization.startsWith("Bearer ") ? authorization
                : "Basic " + Base64.getEncoder().encodeToString(authorization.getBytes(StandardCharsets.UTF_8));
    }

    /** Binds; throws BindException naming the address when it is taken. */
    public void start() throws BindException {
        group = new MultiThreadIoEventLoopGroup(1, r -> {
            Thread t = new Thread(r, "admin-http");
            t.setDaemon(true);
            return t;
        }, NioIoHandler.newFactory());
        ServerBootstrap b = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(MAX_BODY), new Handler());
                    }
                });
        try {
            channel = b.bind(listen).syncUninterruptibly().channel();
        } catch (Exception e) {
            group.shutdownGracefully();
            BindException bind = new BindException("cannot bind admin endpoint " + listen + ": " + e.getMessage());
            bind.initCause(e);
            throw bind;
        }
        LOG.info("event=admin_listening address={}", localAddress());
    }

    public InetSocketAddress localAddress() {
        return channel == null ? null : (InetSocketAddress) channel.localAddress();
    }

    @Override
    public void close() {
        if (channel != null) {
            channel.close().syncUninterruptibly();
        }
        if (group != null) {
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private boolean authorized(FullHttpRequest request) {
        if (expectedAuthorization == null) {
            return true;
        }
        String given = request.headers().get(HttpHeaderNames.AUTHORIZATION, "");
        return MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8),
                expectedAuthorization.getBytes(StandardCharsets.UTF_8));
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            if (!request.decoderResult().isSuccess()) {
                send(ctx, HttpResponseStatus.BAD_REQUEST, "text/plain", "bad request\n", false);
                return;
            }
            if (!authorized(request)) {
                FullHttpResponse r = response(HttpResponseStatus.UNAUTHORIZED, "text/plain", "unauthorized\n");
                r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Basic realm=\"kdmq-gateway\"");
                write(ctx, r, keepAlive);
                return;
            }
            String path = new QueryStringDecoder(request.uri()).path();
            HttpMethod method = request.method();
            if (path.equals("/RPC") || path.equals("/rpc")) {
                if (!method.equals(HttpMethod.POST)) {
                    send(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "text/plain", "use POST\n", keepAlive);
                    return;
                }
                byte[] body = ByteBufUtil.getBytes(request.content());
                executor.execute(() -> rpc.handle(body).whenComplete((answer, error) -> {
                    if (error != null) {
                        send(ctx, HttpResponseStatus.INTERNAL_SERVER_ERROR, "text/plain", "internal error\n", false);
                    } else if (answer == null) {
                        write(ctx, response(HttpResponseStatus.NO_CONTENT, "application/json", ""), keepAlive);
                    } else {
                        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                                Unpooled.wrappedBuffer(answer));
                        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
                        write(ctx, r, keepAlive);
                    }
                }));
                return;
            }
            if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD)) {
                send(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "text/plain", "use GET\n", keepAlive);
                return;
            }
            switch (path) {
                case "/health/live" -> send(ctx, HttpResponseStatus.OK, "application/json", "{\"status\":\"up\"}", keepAlive);
                case "/health/ready" -> executor.execute(() -> {
                    boolean ready = readiness.ready();
                    String body;
                    try {
                        body = JSON.writeValueAsString(
                                java.util.Map.of("status", ready ? "ready" : "not_ready", "detail", readiness.detail()));
                    } catch (Exception e) {
                        body = "{\"status\":\"" + (ready ? "ready" : "not_ready") + "\"}";
                    }
                    send(ctx, ready ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                            "application/json", body, keepAlive);
                });
                case "/metrics" -> executor.execute(() -> send(ctx, HttpResponseStatus.OK,
                        "text/plain; version=0.0.4; charset=utf-8", metrics.get(), keepAlive));
                default -> send(ctx, HttpResponseStatus.NOT_FOUND, "text/plain", "not found\n", keepAlive);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("event=admin_connection_error error={}", cause.toString());
            ctx.close();
        }
    }

    private static FullHttpResponse response(HttpResponseStatus status, String contentType, String body) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        return r;
    }

    private static void send(ChannelHandlerContext ctx, HttpResponseStatus status, String contentType, String body,
                             boolean keepAlive) {
        write(ctx, response(status, contentType, body), keepAlive);
    }

    private static void write(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
        HttpUtil.setContentLength(response, response.content().readableBytes());
        if (keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(response);
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }
}

package org.kdmq.gateway.transaction;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import org.kdmq.gateway.sip.message.CSeq;
import org.kdmq.gateway.sip.message.HeaderNames;
import org.kdmq.gateway.sip.message.NameAddress;
import org.kdmq.gateway.sip.message.SipHeader;
import org.kdmq.gateway.sip.message.SipMessage;
import org.kdmq.gateway.sip.message.SipRequest;
import org.kdmq.gateway.sip.message.SipResponse;
import org.kdmq.gateway.sip.message.SipSyntaxException;
import org.kdmq.gateway.sip.message.Via;
import org.kdmq.gateway.transport.InboundMessage;
import org.kdmq.gateway.transport.SipTransportLayer;
import org.kdmq.gateway.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Non-INVITE client and server transactions (RFC 3261 sections 17.1.2, 17.2.2, matching per 17.1.3
 * and 17.2.3). Client: retransmits over UDP on timer E (T1 doubling to T2), ends with a local 408 on
 * timer F or a local 503 when the request cannot be sent, absorbs late copies of the final response
 * during timer K. Server: delivers each request once, answers retransmissions with the last response,
 * forgets the transaction after timer J. Results and requests reach the application on its executor.
 */
public final class TransactionLayer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TransactionLayer.class);
    public static final String MAGIC_COOKIE = "z9hG4bK";

    private final SipTransportLayer transport;
    private final TransactionSettings settings;
    private final TimerScheduler timers;
    private final Executor executor;
    private final TransactionStats stats = new TransactionStats();
    private final Map<String, ClientTransaction> clients = new ConcurrentHashMap<>();
    /**
     * Timer K: client transactions over UDP that have their final response, by key; a retransmission of
     * that response is ignored. Apart from the live ones, so that the timer F sweep walks only those.
     */
    private final java.util.Set<String> absorbing = ConcurrentHashMap.newKeySet();
    /** Server transactions not answered yet; the answered ones over UDP wait in {@link #answered}. */
    private final Map<String, ServerTx> servers = new ConcurrentHashMap<>();

    /**
     * What an answered server transaction over UDP keeps for timer J (64*T1) to answer retransmissions:
     * only what a retransmitted request cannot give back (status, reason, the other headers, the body,
     * a To suffix other than our tag); Via, From, To, Call-ID and CSeq come from the retransmission
     * itself, which carries the same values. Most answers have the same template: it is shared.
     */
    private record Answered(int status, String reason, String toSuffix, List<SipHeader> extra, byte[] body) {
        private static final byte[] NO_BODY = new byte[0];
        private static final Map<Answered, Answered> SHARED = new ConcurrentHashMap<>();
        /** The other headers are nearly always the same few lists, also in answers with a body of their own. */
        private static final Map<List<SipHeader>, List<SipHeader>> SHARED_EXTRAS = new ConcurrentHashMap<>();

        /** The template of an answer and the To tag it added, when that is the one {@link ServerTx} adds. */
        record Kept(Answered template, long tag) {
        }

        static Kept of(SipRequest request, SipResponse response) {
            String requestTo = request.header(HeaderNames.TO).orElse("");
            String responseTo = response.header(HeaderNames.TO).orElse("");
            String suffix = responseTo.startsWith(requestTo) ? responseTo.substring(requestTo.length()) : null;
            List<SipHeader> extra = new java.util.ArrayList<>(3);
            for (SipHeader h : response.headers().asList()) {
                if (!SipResponse.isCopiedFromRequest(h)) {
                    extra.add(h);
                }
            }
            if (suffix == null) {
                extra.add(new SipHeader(HeaderNames.TO, responseTo)); // a To we cannot derive: kept whole
            }
            long tag = 0;
            if (suffix != null && isOurTag(suffix)) {
                tag = Long.parseUnsignedLong(suffix.substring(5), 16); // the tag we add: 8 bytes, not a string
                suffix = null;
            }
            byte[] body = response.bodyLength() == 0 ? NO_BODY : response.body(); // body() copies
            Answered template = new Answered(response.statusCode(), response.reasonPhrase(), suffix,
                    shared(SHARED_EXTRAS, List.copyOf(extra)), body);
            if (body == NO_BODY) { // a body compares by identity here: only body-less templates are shared
                template = shared(SHARED, template);
            }
            return new Kept(template, tag);
        }

        /** The equal value already in {@code pool}, else {@code value} (kept there while the pool is small). */
        private static <T> T shared(Map<T, T> pool, T value) {
            return pool.size() < 256 ? pool.computeIfAbsent(value, k -> k) : pool.getOrDefault(value, value);
        }

        /** ";tag=" and the 16 hex digits, top bit set, that {@link ServerTx#withToTag} and our DMQ layer add. */
        private static boolean isOurTag(String suffix) {
            if (suffix.length() != 21 || !suffix.startsWith(";tag=") || suffix.charAt(5) < '8') {
                return false;
            }
            for (int i = 5; i < 21; i++) {
                char c = suffix.charAt(i);
                if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                    return false;
                }
            }
            return true;
        }

        /** The same response again, for a retransmission of the request it answered. */
        SipResponse rebuild(SipRequest again, long tag) {
            SipResponse.Builder b = SipResponse.to(again, status, reason);
            String suffix = toSuffix != null ? toSuffix : tag != 0 ? ";tag=" + Long.toHexString(tag) : "";
            if (!suffix.isEmpty()) {
                b.setHeader(HeaderNames.TO, again.header(HeaderNames.TO).orElse("") + suffix);
            }
            for (SipHeader h : extra) {
                if (h.hasName(HeaderNames.TO)) {
                    b.setHeader(HeaderNames.TO, h.value());
                } else {
                    b.header(h.name(), h.value());
                }
            }
            return b.body(body).build();
        }
    }

    /**
     * At most this many answered transactions are kept (about 56 bytes each, 28 MiB in all): timer J's
     * whole 32 s at 16k requests/s. Past it the oldest go early, so memory stays bounded whatever the
     * request rate (a retransmission that late is then taken as a new request, as Kamailio takes one
     * after its 5 s wait timer).
     */
    static final int MAX_RETAINED_ANSWERS = 1 << 19;
    /** Timer J: answered server transactions over UDP. */
    private final AnsweredTable<Answered> answered;
    /** Timer K: keys of client transactions over UDP that got their final response. */
    private final SlicedExpiry<String> timerK;

    /*
     * Timer F and the abandonment limit are long (32 s, 64 s) and nearly always outlived by the answer:
     * instead of a wheel timer set and cancelled per transaction (two queue hand-offs to the timer
     * thread each), one sweep at a time walks the pending transactions. Timer F fires within T1 of its
     * time, abandonment within 1/16 of its limit.
     */
    private final Sweep timerFSweep;
    private final Sweep abandonSweep;

    private final String branchPrefix = MAGIC_COOKIE + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16);
    private final AtomicLong branchCounter = new AtomicLong();
    private volatile Consumer<ServerTransaction> requestHandler = tx -> tx.respond(
            SipResponse.to(tx.request(), 503, "Service Unavailable").build());
    private volatile Function<Transport, String> sentBy;
    private volatile boolean closed;

    public TransactionLayer(SipTransportLayer transport, TransactionSettings settings, TimerScheduler timers,
                            Executor executor) {
        this.transport = Objects.requireNonNull(transport, "transport");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.timers = Objects.requireNonNull(timers, "timers");
        this.executor = Objects.requireNonNull(executor, "executor");
        this.timerFSweep = new Sweep(clients, settings.t1().toMillis(), this::expireTimerF);
        this.abandonSweep = new Sweep(servers, Math.max(1, abandonLimitMillis() / 16), this::expireAbandoned);
        this.answered = new AnsweredTable<>(MAX_RETAINED_ANSWERS, settings.timerJ().toMillis(), timers::nowMillis,
                stats.answersEvictedEarly);
        this.timerK = new SlicedExpiry<>(timers, settings.t4().toMillis(), MAX_RETAINED_ANSWERS,
                keys -> keys.forEach(absorbing::remove), n -> { });
        this.sentBy = t -> {
            InetSocketAddress a = transport.localAddress(t);
            if (a == null) {
                a = transport.localAddress(Transport.UDP);
            }
            String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
        };
        transport.setInboundHandler(this::onInbound);
    }

    /** Who receives new requests (on the executor). Unset, requests are answered 503. */
    public void setRequestHandler(Consumer<ServerTransaction> handler) {
        this.requestHandler = Objects.requireNonNull(handler, "handler");
    }

    /** The host:port our Via headers advertise per transport (default: the listener's address). */
    public void setSentBy(Function<Transport, String> sentBy) {
        this.sentBy = Objects.requireNonNull(sentBy, "sentBy");
    }

    public TransactionStats stats() {
        return stats;
    }

    public int activeClientTransactions() {
        return clients.size();
    }

    public int activeServerTransactions() {
        return servers.size();
    }

    /** A new unique branch id with RFC 3261's magic cookie. */
    public String newBranch() {
        return branchPrefix + "." + Long.toHexString(branchCounter.incrementAndGet());
    }

    // ---- client side ------------------------------------------------------------------------------

    /**
     * Sends a request in a new client transaction. A new top Via (our sent-by, a new branch) is always
     * added, so a forwarded request keeps its earlier Vias below ours.
     */
    public CompletableFuture<ClientResponse> sendRequest(SipRequest request, Transport t, InetSocketAddress destination) {
        CompletableFuture<ClientResponse> result = new CompletableFuture<>();
        if (closed) {
            result.complete(new ClientResponse(local(request, 503, "Service Unavailable (shutting down)"), true));
            return result;
        }
        String branch = newBranch();
        SipRequest withVia = request.withFirstHeader(HeaderNames.VIA,
                "SIP/2.0/" + t.viaName() + " " + sentBy.apply(t) + ";branch=" + branch);
        CSeq cseq = withVia.cseq();
        String key = branch + "|" + (cseq != null ? cseq.method() : withVia.method().toUpperCase(Locale.ROOT));
        ClientTransaction tx = new ClientTransaction(key, withVia, t, destination, result);
        clients.put(key, tx);
        stats.clientStarted.increment();
        tx.start();
        return result;
    }

    private final class ClientTransaction {
        private final String key;
        private final SipRequest request;
        private final Transport transport;
        private final InetSocketAddress destination;
        private final CompletableFuture<ClientResponse> result;
        private boolean proceeding;
        private boolean completed;
        private boolean retransmitted;
        private long interval;
        private TimerScheduler.Timeout timerE;
        // Set before the transaction is in the table, where the sweep may see it at once.
        private final long timerFAt;

        ClientTransaction(String key, SipRequest request, Transport transport, InetSocketAddress destination,
                          CompletableFuture<ClientResponse> result) {
            this.key = key;
            this.request = request;
            this.transport = transport;
            this.destination = destination;
            this.result = result;
            this.timerFAt = timers.nowMillis() + settings.timerF().toMillis();
        }

        synchronized void start() {
            timerFSweep.start();
            if (!transport.isReliable()) {
                interval = settings.t1().toMillis();
                timerE = timers.schedule(this::onTimerE, interval, TimeUnit.MILLISECONDS);
            }
            send(false);
        }

        private void send(boolean retransmission) {
            TransactionLayer.this.transport.send(request, transport, destination).whenComplete((v, error) -> {
                if (error != null) {
                    onSendFailure(error);
                }
            });
            if (retransmission) {
                stats.retransmissions.increment();
            }
        }

        private synchronized void onTimerE() {
            if (completed) {
                return;
            }
            retransmitted = true;
            send(true);
            interval = proceeding ? settings.t2().toMillis() : Math.min(interval * 2, settings.t2().toMillis());
            timerE = timers.schedule(this::onTimerE, interval, TimeUnit.MILLISECONDS);
        }

        private synchronized boolean timerFDue(long now) {
            return !completed && now >= timerFAt;
        }

        private void onTimerF() {
            if (finish(new ClientResponse(local(request, 408, "Request Timeout"), true))) {
                stats.timeouts.increment();
                LOG.debug("event=request_timeout call_id={} destination={}", request.callId(), destination);
            }
        }

        private void onSendFailure(Throwable failure) {
            Throwable error = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            String why = error instanceof java.net.ConnectException ? "cannot connect to " + destination
                    : error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
            if (finish(new ClientResponse(local(request, 503, "Service Unavailable (" + oneLine(why) + ")"), true))) {
                stats.transportErrors.increment();
                LOG.debug("event=send_failed call_id={} destination={} error={}", request.callId(), destination, why);
            }
        }

        void onResponse(SipResponse response) {
            synchronized (this) {
                if (completed) {
                    return; // a final response that raced the first one
                }
                if (response.isProvisional()) {
                    proceeding = true;
                    return;
                }
            }
            finish(new ClientResponse(response, false));
        }

        /** Completes once; later finals are ignored. A retransmitted request's key is kept for timer K. */
        private boolean finish(ClientResponse outcome) {
            boolean answerMayRepeat;
            synchronized (this) {
                if (completed) {
                    return false;
                }
                completed = true;
                if (timerE != null) {
                    timerE.cancel();
                }
                answerMayRepeat = retransmitted;
            }
            // A server repeats its final answer only for a repeat of the request (RFC 3261 17.2.2): a
            // request sent once leaves nothing to absorb, and most never need a second send.
            if (answerMayRepeat && !outcome.local()) {
                absorbing.add(key); // before it leaves clients: a repeat of the answer is never stray
                timerK.add(key);
            }
            clients.remove(key, this);
            deliver(() -> result.complete(outcome));
            return true;
        }
    }

    // ---- server side ------------------------------------------------------------------------------

    private final class ServerTx implements ServerTransaction {
        private final String key;
        private final String keyWithoutMethod;
        private final String method;
        private final SipRequest request;
        private final InboundMessage inbound;
        private SipResponse lastResponse;
        private boolean completed;
        // Set before the transaction is in the table, where the sweep may see it at once.
        private final long abandonAt;

        ServerTx(String keyWithoutMethod, String method, InboundMessage inbound) {
            this.key = keyWithoutMethod + method;
            this.keyWithoutMethod = keyWithoutMethod;
            this.method = method;
            this.request = (SipRequest) inbound.message();
            this.inbound = inbound;
            this.abandonAt = timers.nowMillis() + abandonLimitMillis();
        }

        @Override
        public SipRequest request() {
            return request;
        }

        @Override
        public InboundMessage inbound() {
            return inbound;
        }

        @Override
        public void respond(SipResponse response) {
            SipResponse toSend = withToTag(response);
            synchronized (this) {
                if (completed) {
                    LOG.debug("event=late_response_ignored call_id={} status={}", request.callId(), response.statusCode());
                    return;
                }
                lastResponse = toSend;
                if (!toSend.isProvisional()) {
                    completed = true;
                }
            }
            transport.sendResponse(toSend, inbound).whenComplete((v, error) -> {
                if (error != null) {
                    LOG.debug("event=response_send_failed call_id={} peer={} error={}", request.callId(),
                            inbound.remote(), error.toString());
                }
            });
            if (!toSend.isProvisional()) {
                if (inbound.transport().isReliable()) {
                    servers.remove(key, this);
                } else {
                    Answered.Kept kept = Answered.of(request, toSend);
                    answered.put(keyWithoutMethod, method, kept.template(), kept.tag()); // before it leaves servers
                    servers.remove(key, this);
                }
            }
        }

        /** A copy of the request came again: answer with the last response, if any (17.2.2). */
        void onRetransmission() {
            SipResponse again;
            synchronized (this) {
                again = lastResponse;
            }
            stats.requestRetransmissionsAbsorbed.increment();
            if (again != null) {
                transport.sendResponse(again, inbound);
            }
        }

        void abandonIfDue(long now) {
            synchronized (this) {
                if (completed || now < abandonAt) {
                    return;
                }
                completed = true;
            }
            stats.abandoned.increment();
            servers.remove(key, this);
            LOG.warn("event=request_never_answered call_id={} method={} peer={}", request.callId(),
                    request.method(), inbound.remote());
        }

        private SipResponse withToTag(SipResponse response) {
            String to = response.header(HeaderNames.TO).orElse(null);
            if (to == null || NameAddress.hasTag(to)) {
                return response;
            }
            return response.toBuilder().setHeader(HeaderNames.TO,
                    to + ";tag=" + Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE)).build();
        }
    }

    /**
     * Runs {@code expire} every {@code periodMillis} while {@code table} has entries; at most one run
     * is scheduled at a time.
     */
    private final class Sweep {
        private final java.util.concurrent.atomic.AtomicBoolean scheduled = new java.util.concurrent.atomic.AtomicBoolean();
        private final Map<String, ?> table;
        private final long periodMillis;
        private final java.util.function.LongConsumer expire;

        Sweep(Map<String, ?> table, long periodMillis, java.util.function.LongConsumer expire) {
            this.table = table;
            this.periodMillis = periodMillis;
            this.expire = expire;
        }

        void start() {
            if (scheduled.compareAndSet(false, true)) {
                timers.schedule(this::run, periodMillis, TimeUnit.MILLISECONDS);
            }
        }

        private void run() {
            expire.accept(timers.nowMillis());
            // Cleared before looking: an entry added meanwhile either finds it clear or is seen here.
            scheduled.set(false);
            if (!table.isEmpty()) {
                start();
            }
        }
    }

    private void expireTimerF(long now) {
        for (ClientTransaction tx : clients.values()) {
            if (tx.timerFDue(now)) {
                tx.onTimerF();
            }
        }
    }

    private long abandonLimitMillis() {
        return settings.timerF().toMillis() + settings.timerJ().toMillis();
    }

    private void expireAbandoned(long now) {
        for (ServerTx tx : servers.values()) {
            tx.abandonIfDue(now);
        }
    }

    // ---- inbound ---------------------------------------------------------------------------------

    private void onInbound(InboundMessage inbound) {
        SipMessage message = inbound.message();
        try {
            if (message instanceof SipResponse response) {
                onResponse(response);
            } else {
                onRequest(inbound, (SipRequest) message);
            }
        } catch (SipSyntaxException e) {
            LOG.debug("event=unmatchable_message peer={} error={}", inbound.remote(), e.getMessage());
        }
    }

    private void onResponse(SipResponse response) {
        Via via = response.topVia();
        CSeq cseq = response.cseq();
        String key = via == null || via.branch() == null || cseq == null ? null : via.branch() + "|" + cseq.method();
        ClientTransaction tx = key == null ? null : clients.get(key);
        if (tx == null) {
            if (key != null && absorbing.contains(key)) {
                return; // a retransmitted final response during timer K
            }
            stats.strayResponses.increment();
            LOG.debug("event=stray_response status={} call_id={}", response.statusCode(), response.callId());
            return;
        }
        tx.onResponse(response);
    }

    private void onRequest(InboundMessage inbound, SipRequest request) {
        String method = request.method().toUpperCase(Locale.ROOT);
        if (method.equals("ACK")) {
            return; // no INVITE transactions here: nothing to acknowledge
        }
        if (closed) {
            transport.sendResponse(SipResponse.to(request, 503, "Service Unavailable (shutting down)").build(), inbound);
            return;
        }
        String keyWithoutMethod = serverKeyWithoutMethod(request);
        if (method.equals("CANCEL")) {
            // A non-INVITE cannot be cancelled; answer whether it matched anything (RFC 3261 9.2).
            boolean known = answered.containsAnyMethod(keyWithoutMethod)
                    || servers.keySet().stream().anyMatch(k -> k.startsWith(keyWithoutMethod));
            transport.sendResponse(SipResponse.to(request, known ? 200 : 481,
                    known ? "OK" : "Call/Transaction Does Not Exist").build(), inbound);
            return;
        }
        ServerTx fresh = new ServerTx(keyWithoutMethod, method, inbound);
        ServerTx inProgress = servers.putIfAbsent(fresh.key, fresh);
        if (inProgress != null) {
            inProgress.onRetransmission();
            return;
        }
        // Looked up after the insert: an answer is kept before its transaction leaves servers, so a
        // copy of the request finds one or the other.
        AnsweredTable.Found<Answered> done = answered.find(keyWithoutMethod, method);
        if (done != null) {
            servers.remove(fresh.key, fresh);
            stats.requestRetransmissionsAbsorbed.increment();
            transport.sendResponse(done.answer().rebuild(request, done.tag()), inbound);
            return;
        }
        stats.serverStarted.increment();
        abandonSweep.start(); // an application that never answers must not leak the transaction
        Consumer<ServerTransaction> handler = requestHandler;
        deliver(() -> handler.accept(fresh));
    }

    /**
     * RFC 3261 17.2.3: branch + sent-by (+ method, appended by the caller); RFC 2543 fallback for
     * branches without the cookie.
     */
    private static String serverKeyWithoutMethod(SipRequest request) {
        Via via = request.topVia();
        String branch = via == null ? null : via.branch();
        if (branch != null && branch.startsWith(MAGIC_COOKIE)) {
            return branch + "|" + via.host().toLowerCase(Locale.ROOT) + ":" + via.port() + "|";
        }
        CSeq cseq = request.cseq();
        String fromTag;
        try {
            NameAddress from = request.from();
            fromTag = from == null ? "" : String.valueOf(from.tag());
        } catch (SipSyntaxException e) {
            fromTag = "";
        }
        return "2543|" + request.callId() + "|" + (cseq == null ? "" : cseq.sequence()) + "|" + fromTag + "|"
                + request.header(HeaderNames.VIA).orElse("") + "|";
    }

    private void deliver(Runnable task) {
        try {
            executor.execute(task);
        } catch (RuntimeException e) {
            LOG.warn("event=delivery_rejected error={}", e.toString());
        }
    }

    private static SipResponse local(SipRequest request, int code, String reason) {
        return SipResponse.to(request, code, reason).build();
    }

    private static String oneLine(String s) {
        String flat = s.replaceAll("[\\r\\n]+", " ");
        return flat.length() > 100 ? flat.substring(0, 100) : flat;
    }

    /** Ends every client transaction with a local 503 and stops taking requests. */
    @Override
    public void close() {
        closed = true;
        for (ClientTransaction tx : clients.values()) {
            tx.finish(new ClientResponse(local(tx.request, 503, "Service Unavailable (shutting down)"), true));
        }
    }
}

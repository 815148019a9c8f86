package io.zonemover.sim.ec2;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.zonemover.sim.WorldStore;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.function.LongSupplier;

/**
 * The EC2 Query endpoint's HTTP door, as the AWS SDK v2 {@code Ec2Client} reaches it: reads a form-encoded
 * request, throttles it ({@link Throttle}), runs its action ({@link Ec2Responses}) on the world at the world's
 * time, and answers XML in the {@code 2016-11-15} namespace or EC2's error document.
 *
 * <p>Describes are served from a read of the world and not saved, unless a call-level fault is pending (even a
 * Describe consumes one, so then the world must be saved). A refused mutating call is still saved: the faults
 * it consumed stay consumed.
 */
public final class Ec2Endpoint implements HttpHandler {

    /** Where each request is counted: its Action, and the error code it was answered (null for 200). */
    @FunctionalInterface
    public interface Counter {
        void count(String action, String errorCode);
    }

    private final Ec2Access access;
    private final Throttle throttle;
    private final Counter counter;

    /** Counts every request in the world's {@link io.zonemover.sim.CallLog}. */
    public Ec2Endpoint(WorldStore store) {
        this(Ec2Access.of(store), System::nanoTime, store.calls()::ec2);
    }

    public Ec2Endpoint(Ec2Access access) {
        this(access, System::nanoTime);
    }

    /** {@code wallNanos} is the wall clock the throttling buckets refill by (tests can drive it). */
    public Ec2Endpoint(Ec2Access access, LongSupplier wallNanos) {
        this(access, wallNanos, (action, errorCode) -> { });
    }

    public Ec2Endpoint(Ec2Access access, LongSupplier wallNanos, Counter counter) {
        this.access = access;
        this.throttle = new Throttle(wallNanos);
        this.counter = counter;
    }

    /** RFC 1123, as HTTP's Date header (and the SDK's parser of it) wants it. */
    private static final java.time.format.DateTimeFormatter HTTP_DATE =
            java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.withZone(java.time.ZoneOffset.UTC);

    /**
     * A reply: HTTP status, XML body, the world time it was computed at (-1 when the world was not read), and
     * EC2's error code (null for a success).
     */
    record Reply(int status, String body, long worldNow, String errorCode) {
        Reply(int status, String body, long worldNow) {
            this(status, body, worldNow, null);
        }
    }

    /** One answer on the wire: status, XML body, request id, and the Date header (the world's time, RFC 1123). */
    public record Answer(int status, String body, String requestId, String date) {
    }

    /**
     * Answers one request given its raw query string and form body (either may hold the parameters). The Date is
     * the world's time, not this machine's: clients that take EC2's Date as the cloud's clock (to age snapshots)
     * must see the clock the snapshots were stamped with.
     */
    public Answer serve(String rawQuery, String body) {
        String requestId = UUID.randomUUID().toString();
        String action = null;
        Reply reply;
        try {
            QueryParams params = QueryParams.parse(rawQuery, body);
            action = params.get("Action");
            reply = dispatch(params, requestId);
        } catch (Ec2Error e) {
            reply = error(e, requestId);
        } catch (RuntimeException e) {
            reply = error(Ec2Error.internalError(": " + e), requestId);
        }
        counter.count(action == null ? "(no Action)" : action, reply.errorCode());
        long worldNow = reply.worldNow() >= 0 ? reply.worldNow() : access.read((w, now) -> now);
        return new Answer(reply.status(), reply.body(), requestId,
                HTTP_DATE.format(java.time.Instant.ofEpochMilli(worldNow)));
    }

    /**
     * For the JDK's HttpServer (tests). That server overwrites any Date header with its own clock; {@link
     * Ec2HttpServer} is the door that keeps the world's.
     */
    @Override
    public void handle(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Answer a = serve(exchange.getRequestURI().getRawQuery(), body);
        byte[] bytes = a.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Date", a.date());
        exchange.getResponseHeaders().set("Content-Type", "text/xml;charset=UTF-8");
        exchange.getResponseHeaders().set("x-amzn-RequestId", a.requestId());
        exchange.sendResponseHeaders(a.status(), bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Handles one request given its parameters. */
    Reply dispatch(QueryParams params, String requestId) {
        String name = params.get("Action");
        if (name == null) {
            throw Ec2Error.missing("Action");
        }
        Ec2Responses.Action action = Ec2Responses.ACTIONS.get(name);
        if (action == null) {
            throw Ec2Error.invalidAction(name);
        }
        throttle.admit(action.mutating(), params);
        Ec2Access.Op<Reply> op = (world, now) -> {
            try {
                world.consumeCallFault();
                QueryXml x = QueryXml.response(name, requestId);
                action.handler().respond(params, world, now, x);
                return new Reply(200, x.finish(), now);
            } catch (Ec2Error e) {
                Reply r = error(e, requestId);
                return new Reply(r.status(), r.body(), now, r.errorCode());
            }
        };
        if (action.mutating()) {
            return access.write(op);
        }
        Reply r = access.read((world, now) -> world.faults().hasCallFaults() ? null : op.apply(world, now));
        return r != null ? r : access.write(op);
    }

    private static Reply error(Ec2Error e, String requestId) {
        return new Reply(e.httpStatus(), QueryXml.error(e, requestId), -1, e.code());
    }
}

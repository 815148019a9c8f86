package io.zonemover.sim.kube.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import io.zonemover.sim.WorldStore;
import io.zonemover.sim.kube.ApiFaults;
import io.zonemover.sim.kube.store.Json;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Injects the API server's own faults ({@link ApiFaults}) in front of the Kubernetes endpoint: while the
 * server is unreachable a connection is accepted and closed unanswered (clients see EOF or a reset); a
 * chosen share of calls is answered 429 (with Retry-After), 500 or 503, and of writes 409 Conflict, each
 * with a Kubernetes Status body. A faulted call never reaches the endpoint, so it changes nothing in the
 * world but the count of calls that decides which call fails next.
 *
 * <p>Health endpoints are exempt, as API Priority and Fairness exempts them on a real server.
 */
public final class KubeFaultFilter extends Filter {

    private static final Set<String> EXEMPT = Set.of("/healthz", "/livez", "/readyz");
    private static final Set<String> WRITES = Set.of("POST", "PUT", "PATCH", "DELETE");

    private final WorldStore store;

    public KubeFaultFilter(WorldStore store) {
        this.store = store;
    }

    @Override
    public String description() {
        return "zonemover simulated Kubernetes API faults";
    }

    private record Look(ApiFaults faults, long worldNow) {
    }

    @Override
    public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
        if (EXEMPT.contains(exchange.getRequestURI().getPath())) {
            chain.doFilter(exchange);
            return;
        }
        Look look;
        try {
            look = store.read(w -> new Look(w.kube().faults().api(), w.now()));
        } catch (RuntimeException e) {
            // The endpoint answers a world it cannot read with a proper Status; leave that to it.
            chain.doFilter(exchange);
            return;
        }
        if (!look.faults().any()) {
            chain.doFilter(exchange);
            return;
        }
        if (look.faults().unreachable(look.worldNow(), System.currentTimeMillis())) {
            // Closing before any response is sent closes the connection itself: the client reads EOF.
            exchange.close();
            return;
        }
        String method = exchange.getRequestMethod().toUpperCase();
        boolean write = WRITES.contains(method);
        int code = look.faults().countsCalls() ? store.write(w -> w.kube().nextApiFault(write)) : 0;
        if (code == 0) {
            chain.doFilter(exchange);
            return;
        }
        try (InputStream in = exchange.getRequestBody()) {
            in.readAllBytes();
        }
        byte[] body = status(code, exchange.getRequestURI().getPath()).toString().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        if (code == 429) {
            exchange.getResponseHeaders().set("Retry-After", "1");
        }
        exchange.sendResponseHeaders(code, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
        exchange.close();
    }

    /** The Status a real API server sends for each of these codes. */
    static ObjectNode status(int code, String path) {
        ObjectNode s = Json.obj();
        s.put("kind", "Status");
        s.put("apiVersion", "v1");
        s.putObject("metadata");
        s.put("status", "Failure");
        switch (code) {
            case 429 -> {
                s.put("message", "Too many requests, please try again later.");
                s.put("reason", "TooManyRequests");
                s.putObject("details").put("retryAfterSeconds", 1);
            }
            case 500 -> {
                s.put("message", "Internal error occurred: injected by zonemover sim fault");
                s.put("reason", "InternalError");
                s.putObject("details").putArray("causes").addObject()
                        .put("message", "injected by zonemover sim fault");
            }
            case 503 -> {
                s.put("message", "the server is currently unable to handle the request");
                s.put("reason", "ServiceUnavailable");
            }
            default -> {
                ApiPath t = ApiPath.of(path);
                s.put("message", "Operation cannot be fulfilled on " + t.qualified() + " \"" + t.name()
                        + "\": the object has been modified; please apply your changes to the latest version "
                        + "and try again");
                s.put("reason", "Conflict");
                ObjectNode d = s.putObject("details");
                d.put("name", t.name());
                if (!t.group().isEmpty()) {
                    d.put("group", t.group());
                }
                d.put("kind", t.resource());
            }
        }
        s.put("code", code);
        return s;
    }
}

package io.zonemover.sim.kube.api;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.util.function.Consumer;

/**
 * Counts every request the Kubernetes endpoint receives, by verb and resource as the API server's audit log
 * names them ("list pods", "watch pods", "update statefulsets/status", "create pods/eviction"); requests off
 * the resource paths (discovery, OpenAPI, version, health) count as "get discovery". Placed before {@link
 * KubeFaultFilter}, so a call answered with an injected fault is counted too: the client did make it.
 */
public final class CallCountFilter extends Filter {

    private final Consumer<String> counter;

    public CallCountFilter(Consumer<String> counter) {
        this.counter = counter;
    }

    @Override
    public String description() {
        return "zonemover simulated Kubernetes API call counts";
    }

    @Override
    public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
        counter.accept(name(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                exchange.getRequestURI().getRawQuery()));
        chain.doFilter(exchange);
    }

    /** "verb resource[/subresource]" for one request. */
    static String name(String method, String path, String rawQuery) {
        ApiPath p = ApiPath.of(path);
        if (p.resource().isEmpty()) {
            return method.toLowerCase() + " discovery";
        }
        boolean object = !p.name().isEmpty();
        String verb = switch (method.toUpperCase()) {
            case "GET" -> object ? "get" : ApiRequest.isTrue(ApiRequest.query(rawQuery).get("watch")) ? "watch" : "list";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> object ? "delete" : "deletecollection";
            default -> method.toLowerCase();
        };
        return verb + " " + p.resource() + (p.sub().isEmpty() ? "" : "/" + p.sub());
    }
}

package io.zonemover.sim.kube.api;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import io.zonemover.sim.kube.store.KubeApiException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The API server's authorization step, in front of the Kubernetes endpoint when a world enforces RBAC: every
 * request is taken to come from the policy's user (the ServiceAccount its bindings name, as zonemover runs in
 * the cluster) and one that {@link RbacPolicy} does not allow is answered 403 with the Status the real server
 * sends, so a client sees exactly what it would see with that role, e.g.
 * {@code pods "web-0" is forbidden: User "system:serviceaccount:zonemover:zonemover" cannot delete resource
 * "pods" in API group "" in the namespace "default"}.
 *
 * <p>It stands after {@link KubeFaultFilter} (an overloaded or unreachable server answers before it authorizes,
 * as API Priority and Fairness comes before authorization) and after {@link CallCountFilter}: a forbidden call
 * is counted, since the client made it.
 */
public final class RbacFilter extends Filter {

    private final RbacPolicy policy;

    public RbacFilter(RbacPolicy policy) {
        this.policy = policy;
    }

    @Override
    public String description() {
        return "zonemover simulated Kubernetes RBAC authorizer";
    }

    @Override
    public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
        RequestAttributes a = RequestAttributes.of(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                exchange.getRequestURI().getRawQuery());
        if (policy.allows(a)) {
            chain.doFilter(exchange);
            return;
        }
        try (InputStream in = exchange.getRequestBody()) {
            in.readAllBytes();
        }
        byte[] body = Reply.bytes(Reply.status(forbidden(policy.user(), a)));
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        exchange.sendResponseHeaders(403, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
        exchange.close();
    }

    /**
     * The error of a denied request, worded as the API server words it (apiserver's responsewriters.Forbidden
     * around apimachinery's NewForbidden): the qualified resource and name, then who cannot do what, where.
     */
    static KubeApiException forbidden(String user, RequestAttributes a) {
        if (!a.resourceRequest()) {
            return new KubeApiException(403, "Forbidden", "forbidden: User \"" + user + "\" cannot " + a.verb()
                    + " path \"" + a.path() + "\"");
        }
        String why = "User \"" + user + "\" cannot " + a.verb() + " resource \"" + a.combinedResource()
                + "\" in API group \"" + a.group() + "\""
                + (a.namespace().isEmpty() ? " at the cluster scope" : " in the namespace \"" + a.namespace() + "\"");
        String qualified = a.group().isEmpty() ? a.resource() : a.resource() + "." + a.group();
        String message = a.name().isEmpty() ? qualified + " is forbidden: " + why
                : qualified + " \"" + a.name() + "\" is forbidden: " + why;
        return new KubeApiException(403, "Forbidden", message, a.name().isEmpty() ? null : a.name(), a.group(),
                a.resource());
    }
}

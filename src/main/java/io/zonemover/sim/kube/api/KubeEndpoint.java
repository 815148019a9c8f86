package io.zonemover.sim.kube.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.zonemover.sim.WorldStore;
import io.zonemover.sim.kube.Ec2Side;
import io.zonemover.sim.kube.KubeWorld;
import io.zonemover.sim.kube.store.KubeApiException;
import io.zonemover.sim.kube.store.ResourceType;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.zonemover.sim.kube.api.ApiRequest.isTrue;
import static io.zonemover.sim.kube.api.Reply.bytes;
import static io.zonemover.sim.kube.api.Reply.notFoundPath;
import static io.zonemover.sim.kube.api.Reply.ok;
import static io.zonemover.sim.kube.api.Reply.status;

/**
 * The Kubernetes REST API of the simulated world, for client-java and kubectl: discovery, OpenAPI v3
 * ({@link OpenApi}), and get/list/watch/create/replace/patch/delete (and deletecollection) on the kinds in
 * {@link ResourceType}, with the {@code status} subresource and a StatefulSet's {@code scale}. Errors are
 * Status objects with the real codes and reasons. As the real server does, it answers in Table form when
 * asked ({@link Tables}), streams watch events ({@link Watches}), applies strategic merge patches by patch merge
 * key ({@link Patches}) and server-side apply with managedFields ({@link Apply}), and runs {@code dryRun=All}
 * requests on a copy of the cluster. Timestamps are shown in the clients' wall-clock time ({@link ClientClock}).
 *
 * <p>This class only routes; the work is done by {@link Discovery}, {@link ResourceVerbs} (the verbs on an
 * object or collection), {@link Subresources} (eviction and scale), {@link WatchStream} (watches), over the
 * world as {@link EndpointWorld} reaches it; {@link Reply} and {@link ApiRequest} are the wire format.
 *
 * <p>Approximations, stated: {@code limit}/{@code continue} are ignored (one page); a watch sees the store as
 * observed every 100 ms and after each change made through this endpoint, so a change that begins and ends
 * inside one interval is not seen; {@code fieldValidation} is accepted and not enforced.
 *
 * <p>Every GET runs inside {@code store.read}, everything else inside {@code store.write}, so the world is
 * advanced to now first and settled (controllers run) after a change.
 */
public final class KubeEndpoint implements HttpHandler {

    /** Access to the world, so that tests can run the endpoint without a {@link WorldStore}. */
    public interface Backend {
        <T> T read(Access<T> fn);

        <T> T write(Access<T> fn);

        /** World seconds per wall second; 0 when the world's clock moves only when told. */
        default double timeScale() {
            return 0;
        }
    }

    @FunctionalInterface
    public interface Access<T> {
        T apply(KubeWorld kube, Ec2Side ec2, long now);
    }

    private final EndpointWorld world;
    private final ResourceVerbs verbs;
    private final Subresources subresources;
    private final WatchStream watchStream;

    public KubeEndpoint(WorldStore store) {
        this(new Backend() {
            @Override
            public <T> T read(Access<T> fn) {
                return store.read(world -> fn.apply(world.kube(), Ec2Side.of(world.ec2()), world.now()));
            }

            @Override
            public <T> T write(Access<T> fn) {
                return store.write(world -> fn.apply(world.kube(), Ec2Side.of(world.ec2()), world.now()));
            }

            @Override
            public double timeScale() {
                return store.timeScale();
            }
        });
    }

    public KubeEndpoint(Backend backend) {
        this.world = new EndpointWorld(backend);
        this.verbs = new ResourceVerbs(world);
        this.subresources = new Subresources(world);
        this.watchStream = new WatchStream(world);
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        Reply reply;
        try {
            reply = route(exchange);
            if (reply == Reply.STREAMING) {
                return;
            }
        } catch (KubeApiException e) {
            reply = new Reply(e.code(), bytes(status(e)));
        } catch (RuntimeException e) {
            KubeApiException ke = new KubeApiException(500, "InternalError", "Internal error occurred: " + e);
            reply = new Reply(500, bytes(status(ke)));
        }
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache, private");
        exchange.sendResponseHeaders(reply.code(), reply.body().length == 0 ? -1 : reply.body().length);
        if (reply.body().length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(reply.body());
            }
        }
        exchange.close();
    }

    /**
     * Where a request goes, by its path: discovery and OpenAPI, health checks, or a verb on a resource (a
     * collection, an object, or one of its subresources), which is then decoded into an {@link ApiRequest}.
     */
    private Reply route(HttpExchange ex) throws IOException {
        String method = ex.getRequestMethod().toUpperCase();
        String path = ex.getRequestURI().getPath();
        Map<String, String> q = ApiRequest.query(ex.getRequestURI().getRawQuery());
        byte[] bodyBytes;
        try (InputStream in = ex.getRequestBody()) {
            bodyBytes = in.readAllBytes();
        }
        List<String> seg = new ArrayList<>();
        for (String s : path.split("/")) {
            if (!s.isEmpty()) {
                seg.add(URLDecoder.decode(s, StandardCharsets.UTF_8));
            }
        }
        if (seg.isEmpty()) {
            return ok(Discovery.rootPaths());
        }
        if (seg.size() == 1 && Set.of("healthz", "readyz", "livez").contains(seg.get(0))) {
            return new Reply(200, "ok".getBytes(StandardCharsets.UTF_8));
        }
        if (seg.get(0).equals("openapi")) {
            ObjectNode doc = Discovery.openApi(seg);
            if (doc != null) {
                return ok(doc);
            }
            throw notFoundPath();
        }
        if (seg.size() == 1 && seg.get(0).equals("version")) {
            return world.read((kube, ec2, now) -> ok(Discovery.version(kube)));
        }
        String gv;
        List<String> rest;
        if (seg.get(0).equals("api")) {
            if (seg.size() == 1) {
                return ok(Discovery.apiVersions(ex));
            }
            if (!seg.get(1).equals("v1")) {
                throw notFoundPath();
            }
            gv = "v1";
            rest = seg.subList(2, seg.size());
        } else if (seg.get(0).equals("apis")) {
            if (seg.size() == 1) {
                return ok(Discovery.apiGroups());
            }
            if (seg.size() == 2) {
                ObjectNode g = Discovery.group(seg.get(1));
                if (g == null) {
                    throw notFoundPath();
                }
                g.put("kind", "APIGroup");
                g.put("apiVersion", "v1");
                return ok(g);
            }
            gv = seg.get(1) + "/" + seg.get(2);
            rest = seg.subList(3, seg.size());
        } else {
            throw notFoundPath();
        }
        if (rest.isEmpty()) {
            ObjectNode list = Discovery.resourceList(gv);
            if (list == null) {
                throw notFoundPath();
            }
            return ok(list);
        }
        String namespace = null;
        if (rest.get(0).equals("namespaces") && rest.size() >= 3 && ResourceType.find(gv, rest.get(2)) != null) {
            namespace = rest.get(1);
            rest = rest.subList(2, rest.size());
        }
        ResourceType type = ResourceType.find(gv, rest.get(0));
        if (type == null || (namespace != null && !type.namespaced()) || rest.size() > 3) {
            throw notFoundPath();
        }
        String name = rest.size() >= 2 ? rest.get(1) : null;
        String sub = rest.size() == 3 ? rest.get(2) : null;
        if (sub != null && !(sub.equals("status") && type.hasStatus())
                && !(sub.equals("scale") && type == ResourceType.STATEFULSETS)
                && !(sub.equals("eviction") && type == ResourceType.PODS)) {
            throw notFoundPath();
        }
        if (q.containsKey("dryRun") && !q.get("dryRun").equals("All")) {
            throw KubeApiException.badRequest("Invalid value: \"" + q.get("dryRun") + "\": supported values: "
                    + "\"All\"");
        }
        ApiRequest r = new ApiRequest(method, type, namespace, name, sub, q,
                ex.getRequestHeaders().getFirst("Content-Type"), ex.getRequestHeaders().getFirst("Accept"),
                ex.getRequestHeaders().getFirst("User-Agent"), bodyBytes);
        if ("scale".equals(sub)) {
            return subresources.scale(r);
        }
        if ("eviction".equals(sub)) {
            return subresources.eviction(r);
        }
        if (method.equals("GET") && name == null && isTrue(q.get("watch"))) {
            watchStream.start(ex, r);
            return Reply.STREAMING;
        }
        return verbs.handle(r);
    }
}

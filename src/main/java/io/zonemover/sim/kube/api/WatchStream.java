package io.zonemover.sim.kube.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.zonemover.sim.kube.api.ApiRequest.TableRequest;
import io.zonemover.sim.kube.store.Json;
import io.zonemover.sim.kube.store.KubeApiException;
import io.zonemover.sim.kube.store.ResourceType;
import io.zonemover.sim.kube.store.Selectors;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;

import static io.zonemover.sim.kube.api.ApiRequest.isTrue;
import static io.zonemover.sim.kube.api.Reply.bytes;
import static io.zonemover.sim.kube.api.Reply.status;

/**
 * A watch ({@code GET ...?watch=true}) streamed to one client: the events of {@link Watches}' change feed that
 * match its namespace and selectors, as JSON lines, with bookmarks and the Table form when asked.
 *
 * <p>Each watch streams from its own thread, so that the HTTP server's threads stay free for the requests that
 * change what the watches see. A change of labels that moves an object into or out of the selection is sent as
 * ADDED or DELETED, as the real server's watch cache does.
 */
final class WatchStream {

    /** Daemon threads, so that a watch a client never closes does not keep the simulator's JVM alive. */
    private final ExecutorService streams = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "sim-kube-watch");
        t.setDaemon(true);
        return t;
    });
    private final EndpointWorld world;

    WatchStream(EndpointWorld world) {
        this.world = world;
    }

    /** Starts streaming {@code r}'s watch on {@code ex}; the exchange is answered and closed by the stream. */
    void start(HttpExchange ex, ApiRequest r) {
        ResourceType type = r.type();
        Map<String, String> q = r.q();
        Predicate<Map<String, String>> labels = Selectors.parseLabelSelector(q.get("labelSelector"));
        boolean anyLabel = q.get("labelSelector") != null && !q.get("labelSelector").isBlank();
        Predicate<JsonNode> fields = Selectors.fieldPredicate(type, q.get("fieldSelector"));
        String ns = r.namespace();
        Predicate<JsonNode> matches = o -> o != null && (ns == null || !type.namespaced()
                || ns.equals(Json.namespace(o))) && (!anyLabel || labels.test(Json.labels(o))) && fields.test(o);
        Long from = null;
        String rvParam = q.get("resourceVersion");
        boolean sendInitial = isTrue(q.get("sendInitialEvents"));
        if (rvParam != null && !rvParam.isEmpty() && !sendInitial) {
            try {
                from = Long.parseLong(rvParam);
            } catch (NumberFormatException e) {
                throw KubeApiException.badRequest("invalid resource version: " + rvParam);
            }
        }
        boolean bookmarks = isTrue(q.get("allowWatchBookmarks"));
        long timeoutMs = 1_800_000;
        if (q.containsKey("timeoutSeconds")) {
            try {
                timeoutMs = Math.max(1, Long.parseLong(q.get("timeoutSeconds"))) * 1000;
            } catch (NumberFormatException e) {
                throw KubeApiException.badRequest("invalid timeoutSeconds: " + q.get("timeoutSeconds"));
            }
        }
        TableRequest tr = TableRequest.of(r.accept(), q);
        Watches.Cursor cursor;
        ObjectNode expired = null;
        try {
            cursor = world.watches().open(type, from);
        } catch (Watches.Expired e) {
            cursor = null;
            expired = status(new KubeApiException(410, "Expired", e.getMessage()));
        }
        Watches.Cursor c = cursor;
        ObjectNode gone = expired;
        long timeout = timeoutMs;
        ClientClock clk = world.clock();
        streams.execute(() -> {
            try (OutputStream out = ex.getResponseBody()) {
                ex.getResponseHeaders().set("Content-Type", "application/json");
                ex.getResponseHeaders().set("Cache-Control", "no-cache, private");
                ex.sendResponseHeaders(200, 0);
                if (gone != null) {
                    writeEvent(out, "ERROR", gone);
                    return;
                }
                streamEvents(out, c, type, matches, tr, bookmarks, sendInitial, timeout, clk);
            } catch (IOException | InterruptedException e) {
                // The client went away (or the server is stopping): nothing to tell anyone.
            } finally {
                if (c != null) {
                    c.close();
                }
                ex.close();
            }
        });
    }

    private void streamEvents(OutputStream out, Watches.Cursor c, ResourceType type, Predicate<JsonNode> matches,
                              TableRequest tr, boolean bookmarks, boolean sendInitial, long timeoutMs,
                              ClientClock clk) throws IOException, InterruptedException {
        boolean[] headers = {true};
        for (ObjectNode o : c.initial) {
            if (matches.test(o)) {
                sendObject(out, "ADDED", type, o, tr, headers, clk);
            }
        }
        if (sendInitial && bookmarks) {
            ObjectNode b = bookmark(type, c.initialRv);
            Json.meta(b).putObject("annotations").put("k8s.io/initial-events-end", "true");
            writeEvent(out, "BOOKMARK", b);
        }
        long deadline = System.currentTimeMillis() + timeoutMs;
        long nextBookmark = System.currentTimeMillis() + 60_000;
        while (true) {
            long now = System.currentTimeMillis();
            if (now >= deadline) {
                if (bookmarks && tr == null) {
                    writeEvent(out, "BOOKMARK", bookmark(type, c.currentRv()));
                }
                return;
            }
            List<Watches.Event> events = c.next(Math.min(deadline - now, Math.max(1, nextBookmark - now)));
            if (events == null) {
                return;
            }
            for (Watches.Event e : events) {
                if (e.kind() != type) {
                    continue;
                }
                boolean isNow = matches.test(e.object());
                switch (e.type()) {
                    case "MODIFIED" -> {
                        boolean was = matches.test(e.previous());
                        if (was && isNow) {
                            sendObject(out, "MODIFIED", type, e.object(), tr, headers, clk);
                        } else if (isNow) {
                            sendObject(out, "ADDED", type, e.object(), tr, headers, clk);
                        } else if (was) {
                            sendObject(out, "DELETED", type, e.object(), tr, headers, clk);
                        }
                    }
                    default -> {
                        if (isNow) {
                            sendObject(out, e.type(), type, e.object(), tr, headers, clk);
                        }
                    }
                }
            }
            if (bookmarks && tr == null && System.currentTimeMillis() >= nextBookmark) {
                writeEvent(out, "BOOKMARK", bookmark(type, c.currentRv()));
                nextBookmark = System.currentTimeMillis() + 60_000;
            }
        }
    }

    private void sendObject(OutputStream out, String eventType, ResourceType type, ObjectNode o, TableRequest tr,
                            boolean[] headers, ClientClock clk) throws IOException {
        JsonNode obj = clk.out(o);
        if (tr != null) {
            long clientNow = System.currentTimeMillis();
            if (clk.identity()) {
                clientNow = world.read((kube, ec2, now) -> now);
            }
            obj = Tables.table(type, List.of(obj), Json.text(o, "metadata", "resourceVersion"), tr.includeObject(),
                    tr.apiVersion(), clientNow, headers[0]);
            headers[0] = false;
        }
        writeEvent(out, eventType, obj);
    }

    private static ObjectNode bookmark(ResourceType type, long rv) {
        ObjectNode b = Json.obj();
        b.put("kind", type.kind());
        b.put("apiVersion", type.groupVersion());
        b.putObject("metadata").put("resourceVersion", Long.toString(rv));
        return b;
    }

    private static void writeEvent(OutputStream out, String type, JsonNode object) throws IOException {
        ObjectNode e = Json.obj();
        e.put("type", type);
        e.set("object", object);
        out.write(bytes(e));
        out.write('\n');
        out.flush();
    }
}

package io.zonemover.cluster;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.StorageV1Api;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1ListMeta;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1PersistentVolume;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaim;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import io.kubernetes.client.openapi.models.V1StorageClass;
import io.zonemover.domain.ZonemoverException;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Reads each kind the diagnosis needs once, with paged list calls (500 per page), into a
 * {@link ClusterSnapshot}. The seven lists run concurrently: on a large cluster the run is as long as
 * the pod list, not the sum of all of them.
 */
public final class ClusterReader {

    static final int PAGE = 500;

    private final ApiClient client;

    public ClusterReader(ApiClient client) {
        this.client = client;
    }

    /** Reads the cluster; {@code namespace} null means all namespaces. Kubernetes errors become FAILED. */
    public ClusterSnapshot read(String namespace) {
        CoreV1Api core = new CoreV1Api(client);
        AppsV1Api apps = new AppsV1Api(client);
        StorageV1Api storage = new StorageV1Api(client);
        ExecutorService pool = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "zonemover-read");
            t.setDaemon(true);
            return t;
        });
        try {
            var nodes = async(pool, () -> list("nodes", c -> {
                var l = core.listNode().limit(PAGE)._continue(c).execute();
                return new Page<>(l.getItems(), l.getMetadata());
            }));
            var pods = async(pool, () -> readPods(core, namespace));
            var claims = async(pool, () -> list("persistentvolumeclaims", c -> {
                var l = namespace == null
                        ? core.listPersistentVolumeClaimForAllNamespaces().limit(PAGE)._continue(c).execute()
                        : core.listNamespacedPersistentVolumeClaim(namespace).limit(PAGE)._continue(c).execute();
                return new Page<>(l.getItems(), l.getMetadata());
            }));
            var pvs = async(pool, () -> list("persistentvolumes", c -> {
                var l = core.listPersistentVolume().limit(PAGE)._continue(c).execute();
                return new Page<>(l.getItems(), l.getMetadata());
            }));
            var classes = async(pool, () -> list("storageclasses", c -> {
                var l = storage.listStorageClass().limit(PAGE)._continue(c).execute();
                return new Page<>(l.getItems(), l.getMetadata());
            }));
            var sets = async(pool, () -> list("statefulsets", c -> {
                var l = namespace == null
                        ? apps.listStatefulSetForAllNamespaces().limit(PAGE)._continue(c).execute()
                        : apps.listNamespacedStatefulSet(namespace).limit(PAGE)._continue(c).execute();
                return new Page<>(l.getItems(), l.getMetadata());
            }));
            var events = async(pool, () -> list("events", c -> {
                var l = namespace == null
                        ? core.listEventForAllNamespaces().limit(PAGE)._continue(c).execute()
                        : core.listNamespacedEvent(namespace).limit(PAGE)._continue(c).execute();
                return new Page<>(l.getItems(), l.getMetadata());
            }));
            return new ClusterSnapshot(namespace, join(nodes), join(pods), join(claims), join(pvs),
                    join(classes), join(sets), join(events));
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * All pods when allowed, since a node's free capacity counts every pod on it; a namespace-only reader
     * (403 on the cluster-wide list) falls back to its namespace and under-counts other tenants' pods.
     */
    private List<V1Pod> readPods(CoreV1Api core, String namespace) {
        try {
            return list("pods", c -> {
                var l = core.listPodForAllNamespaces().limit(PAGE)._continue(c).execute();
                return new Page<>(l.getItems(), l.getMetadata());
            });
        } catch (ZonemoverException e) {
            if (namespace == null || !(e.getCause() instanceof ApiException api) || api.getCode() != 403) {
                throw e;
            }
            return list("pods", c -> {
                var l = core.listNamespacedPod(namespace).limit(PAGE)._continue(c).execute();
                return new Page<>(l.getItems(), l.getMetadata());
            });
        }
    }

    private record Page<T>(List<T> items, V1ListMeta meta) {
    }

    @FunctionalInterface
    private interface PageCall<T> {
        Page<T> call(String continueToken) throws ApiException;
    }

    private static <T> List<T> list(String kind, PageCall<T> call) {
        List<T> out = new ArrayList<>();
        String token = null;
        do {
            Page<T> page;
            try {
                page = call.call(token);
            } catch (ApiException e) {
                throw ZonemoverException.failed("Kubernetes API: cannot list " + kind + ": " + describe(e), e);
            }
            if (page.items() != null) {
                out.addAll(page.items());
            }
            token = page.meta() == null ? null : page.meta().getContinue();
        } while (token != null && !token.isEmpty());
        return out;
    }

    static String describe(ApiException e) {
        if (e.getCode() == 0) {
            String cause = e.getCause() != null ? e.getCause().getMessage() : e.getMessage();
            return "cannot reach the API server (" + cause + ")";
        }
        String body = e.getResponseBody();
        String message = null;
        if (body != null) {
            var m = java.util.regex.Pattern.compile("\"message\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(body);
            if (m.find()) {
                message = m.group(1);
            }
        }
        return "HTTP " + e.getCode() + (message != null ? ": " + message : "");
    }

    private static <T> CompletableFuture<T> async(ExecutorService pool, java.util.function.Supplier<T> task) {
        return CompletableFuture.supplyAsync(task, pool);
    }

    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

}

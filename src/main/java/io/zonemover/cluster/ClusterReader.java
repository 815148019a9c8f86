package io.zonemover.cluster;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.StorageV1Api;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1ListMeta;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1PersistentVolume;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaim;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import io.kubernetes.client.openapi.models.V1StorageClass;
import io.zonemover.domain.ZonemoverException;

import java.security.Security;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Reads each kind the diagnosis needs once, with paged list calls (500 per page), into a
 * {@link ClusterSnapshot}. The eight lists run concurrently: on a large cluster the run is as long as
 * the pod list, not the sum of all of them.
 *
 * <p>Each list is read off the HTTP body as it arrives ({@link ListStreamer}) rather than through
 * client-java's whole-body String and JsonElement tree: the calls are still built by client-java (base
 * path, auth, TLS and query parameters from the kubeconfig), and the objects are the same models.
 */
public final class ClusterReader {

    static final int PAGE = 500;
    /** The label on everything zonemover creates in the cluster; the only ConfigMaps read are these. */
    public static final String MANAGED_BY_SELECTOR = "app.kubernetes.io/managed-by=zonemover";

    /** The kinds a read lists. */
    private static final List<Class<?>> KINDS = List.of(V1Node.class, V1Pod.class, V1PersistentVolumeClaim.class,
            V1PersistentVolume.class, V1StorageClass.class, V1StatefulSet.class, CoreV1Event.class, V1ConfigMap.class,
            V1ListMeta.class);

    private final ApiClient client;

    public ClusterReader(ApiClient client) {
        this.client = client;
    }

    /**
     * Sets up on {@code executor} what a read does first: the JSON readers of the kinds it lists (reflection
     * over every model class they reach), and the JCA provider list okhttp consults before its first request.
     * A caller with other work to do first (parsing its command line, opening a simulated world) starts this
     * before it, and the read finds them ready. Reading without it is the same, only later.
     */
    public static void prepare(Executor executor) {
        executor.execute(() -> KINDS.forEach(ListStreamer.gson()::getAdapter));
        executor.execute(Security::getProviders);
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
            var nodes = async(pool, () -> list("nodes", c -> ListStreamer.execute(
                    core.listNode().limit(PAGE)._continue(c).buildCall(null), V1Node.class)));
            var pods = async(pool, () -> readPods(core, namespace));
            var claims = async(pool, () -> list("persistentvolumeclaims", c -> ListStreamer.execute(namespace == null
                    ? core.listPersistentVolumeClaimForAllNamespaces().limit(PAGE)._continue(c).buildCall(null)
                    : core.listNamespacedPersistentVolumeClaim(namespace).limit(PAGE)._continue(c).buildCall(null),
                    V1PersistentVolumeClaim.class)));
            var pvs = async(pool, () -> list("persistentvolumes", c -> ListStreamer.execute(
                    core.listPersistentVolume().limit(PAGE)._continue(c).buildCall(null), V1PersistentVolume.class)));
            var classes = async(pool, () -> list("storageclasses", c -> ListStreamer.execute(
                    storage.listStorageClass().limit(PAGE)._continue(c).buildCall(null), V1StorageClass.class)));
            var sets = async(pool, () -> list("statefulsets", c -> ListStreamer.execute(namespace == null
                    ? apps.listStatefulSetForAllNamespaces().limit(PAGE)._continue(c).buildCall(null)
                    : apps.listNamespacedStatefulSet(namespace).limit(PAGE)._continue(c).buildCall(null),
                    V1StatefulSet.class)));
            var events = async(pool, () -> list("events", c -> ListStreamer.execute(namespace == null
                    ? core.listEventForAllNamespaces().limit(PAGE)._continue(c).buildCall(null)
                    : core.listNamespacedEvent(namespace).limit(PAGE)._continue(c).buildCall(null),
                    CoreV1Event.class)));
            List<String> notes = new ArrayList<>();
            var configMaps = async(pool, () -> readConfigMaps(core, namespace, notes));
            return new ClusterSnapshot(namespace, join(nodes), join(pods), join(claims), join(pvs),
                    join(classes), join(sets), join(events), join(configMaps), List.copyOf(notes));
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
            return list("pods", c -> ListStreamer.execute(
                    core.listPodForAllNamespaces().limit(PAGE)._continue(c).buildCall(null), V1Pod.class));
        } catch (ZonemoverException e) {
            if (namespace == null || !(e.getCause() instanceof ApiException api) || api.getCode() != 403) {
                throw e;
            }
            return list("pods", c -> ListStreamer.execute(
                    core.listNamespacedPod(namespace).limit(PAGE)._continue(c).buildCall(null), V1Pod.class));
        }
    }

    /**
     * zonemover's ConfigMaps (the records of moves in progress). Someone allowed to read claims but not
     * ConfigMaps still gets a diagnosis: interrupted moves are then found from the claims' annotation alone.
     */
    private List<V1ConfigMap> readConfigMaps(CoreV1Api core, String namespace, List<String> notes) {
        try {
            return list("configmaps", c -> ListStreamer.execute(namespace == null
                    ? core.listConfigMapForAllNamespaces().labelSelector(MANAGED_BY_SELECTOR).limit(PAGE)
                            ._continue(c).buildCall(null)
                    : core.listNamespacedConfigMap(namespace).labelSelector(MANAGED_BY_SELECTOR).limit(PAGE)
                            ._continue(c).buildCall(null),
                    V1ConfigMap.class));
        } catch (ZonemoverException e) {
            if (!(e.getCause() instanceof ApiException api) || api.getCode() != 403) {
                throw e;
            }
            synchronized (notes) {
                notes.add("cannot list configmaps (HTTP 403): interrupted moves are found from the claims'"
                        + " zonemover.io/migration annotation only, without their step");
            }
            return List.of();
        }
    }

    @FunctionalInterface
    private interface PageCall<T> {
        ListStreamer.Page<T> call(String continueToken) throws ApiException;
    }

    private static <T> List<T> list(String kind, PageCall<T> call) {
        List<T> out = new ArrayList<>();
        String token = null;
        do {
            ListStreamer.Page<T> page;
            try {
                page = call.call(token);
            } catch (ApiException e) {
                throw ZonemoverException.failed("Kubernetes API: cannot list " + kind + ": " + describe(e), e);
            }
            if (page.items() != null) {
                out.addAll(page.items());
            }
            token = page.continueToken();
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

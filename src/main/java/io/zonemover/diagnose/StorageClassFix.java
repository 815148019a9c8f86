package io.zonemover.diagnose;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.StorageV1Api;
import io.kubernetes.client.openapi.models.V1DeleteOptions;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Preconditions;
import io.kubernetes.client.openapi.models.V1StorageClass;
import io.kubernetes.client.util.Yaml;
import io.zonemover.domain.ZonemoverException;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Switches an EBS StorageClass to {@code WaitForFirstConsumer}. The field is immutable, so the class is
 * deleted and created again under the same name with everything else kept (provisioner, parameters,
 * reclaim policy, expansion, mount options, allowed topologies, labels, annotations including the
 * default-class ones). Existing PVs and claims are untouched: a StorageClass is only read when a volume is
 * provisioned. Between the delete and the create, new claims of the class wait; they are provisioned as
 * soon as it is back.
 */
public final class StorageClassFix {

    public static final String WAIT_FOR_FIRST_CONSUMER = "WaitForFirstConsumer";
    static final int CREATE_ATTEMPTS = 4;

    private final ApiClient client;
    private final long retryDelayMillis;

    public StorageClassFix(ApiClient client) {
        this(client, 1000);
    }

    StorageClassFix(ApiClient client, long retryDelayMillis) {
        this.client = client;
        this.retryDelayMillis = retryDelayMillis;
    }

    public static String command(String name) {
        return "zonemover storageclass fix " + name;
    }

    /** What will change: the class as it is, the class that replaces it, and a line diff of the two. */
    public record Plan(V1StorageClass current, V1StorageClass replacement, List<String> diff) {
        public String name() {
            return current.getMetadata().getName();
        }
    }

    /**
     * Reads the class and plans the change. Unknown name: bad input. Not EBS, or already
     * WaitForFirstConsumer: refused (nothing to change).
     */
    public Plan plan(String name) {
        V1StorageClass current;
        try {
            current = new StorageV1Api(client).readStorageClass(name).execute();
        } catch (ApiException e) {
            if (e.getCode() == 404) {
                throw ZonemoverException.badInput("no StorageClass named " + name);
            }
            throw ZonemoverException.failed("Kubernetes API: cannot read StorageClass " + name + ": HTTP " + e.getCode(), e);
        }
        if (!ImmediateBindingDetector.EBS_PROVISIONERS.contains(current.getProvisioner())) {
            throw ZonemoverException.refused("StorageClass " + name + " is provisioned by " + current.getProvisioner()
                    + ", not EBS (" + String.join(" or ", ImmediateBindingDetector.EBS_PROVISIONERS.stream().sorted().toList())
                    + "); nothing changed");
        }
        if (WAIT_FOR_FIRST_CONSUMER.equals(current.getVolumeBindingMode())) {
            throw ZonemoverException.refused("StorageClass " + name + " already uses WaitForFirstConsumer; nothing to do");
        }
        return new Plan(current, replacement(current), diffFor(current));
    }

    /** The change as a line diff of the two manifests, server-set fields left out of both. */
    static List<String> diffFor(V1StorageClass current) {
        return diff(manifest(strip(copy(current))), manifest(replacement(current)));
    }

    /**
     * Deletes the class (guarded by its uid and resourceVersion, so a class changed since {@link #plan}
     * is not deleted) and creates the replacement, retrying the create. If the create still fails, the
     * saved manifest is printed to {@code err} so it can be applied by hand, and the error says so.
     */
    public V1StorageClass apply(Plan plan, PrintWriter err) {
        StorageV1Api api = new StorageV1Api(client);
        String name = plan.name();
        V1ObjectMeta meta = plan.current().getMetadata();
        // The raw response: whether the server answers with the deleted object or a Status (servers
        // differ), only the code matters here, and typed parsing of the other shape would fail.
        int code;
        try (okhttp3.Response response = api.deleteStorageClass(name).body(new V1DeleteOptions().preconditions(
                new V1Preconditions().uid(meta.getUid()).resourceVersion(meta.getResourceVersion())))
                .buildCall(null).execute()) {
            code = response.code();
        } catch (ApiException | java.io.IOException e) {
            throw ZonemoverException.failed("Kubernetes API: cannot delete StorageClass " + name + ": " + e.getMessage(), e);
        }
        if (code == 409) {
            throw ZonemoverException.refused("StorageClass " + name + " changed since it was read; nothing changed, run again");
        }
        if (code >= 300 && code != 404) {
            throw ZonemoverException.failed("Kubernetes API: cannot delete StorageClass " + name + ": HTTP " + code, null);
        }
        ApiException last = null;
        for (int attempt = 1; attempt <= CREATE_ATTEMPTS; attempt++) {
            try {
                return api.createStorageClass(plan.replacement()).execute();
            } catch (ApiException e) {
                last = e;
                if (e.getCode() == 409) {
                    // An earlier attempt may have succeeded with its answer lost: accept it if it is ours.
                    try {
                        V1StorageClass now = api.readStorageClass(name).execute();
                        if (WAIT_FOR_FIRST_CONSUMER.equals(now.getVolumeBindingMode())) {
                            return now;
                        }
                    } catch (ApiException ignored) {
                        // fall through to retry
                    }
                }
                sleep(retryDelayMillis * attempt);
            }
        }
        err.println("# StorageClass " + name + " was deleted but could not be created again. Its manifest:");
        err.print(manifest(plan.replacement()));
        err.println("# Save the lines above and create it with `kubectl create -f FILE`.");
        err.flush();
        throw ZonemoverException.failed("StorageClass " + name + " deleted but not recreated (HTTP "
                + (last == null ? "?" : last.getCode()) + "); its manifest is printed above", last);
    }

    /** The same class with WaitForFirstConsumer and without server-set metadata. */
    static V1StorageClass replacement(V1StorageClass current) {
        V1StorageClass next = strip(copy(current));
        next.setVolumeBindingMode(WAIT_FOR_FIRST_CONSUMER);
        return next;
    }

    private static V1StorageClass strip(V1StorageClass sc) {
        V1ObjectMeta m = sc.getMetadata();
        V1ObjectMeta kept = new V1ObjectMeta().name(m.getName());
        if (m.getLabels() != null && !m.getLabels().isEmpty()) {
            kept.setLabels(new java.util.TreeMap<>(m.getLabels()));
        }
        if (m.getAnnotations() != null && !m.getAnnotations().isEmpty()) {
            kept.setAnnotations(new java.util.TreeMap<>(m.getAnnotations()));
        }
        sc.setMetadata(kept);
        sc.setApiVersion("storage.k8s.io/v1");
        sc.setKind("StorageClass");
        return sc;
    }

    private static V1StorageClass copy(V1StorageClass sc) {
        return Yaml.loadAs(Yaml.dump(sc), V1StorageClass.class);
    }

    /** A YAML manifest; an unset binding mode is shown as the Immediate it defaults to. */
    static String manifest(V1StorageClass sc) {
        V1StorageClass shown = copy(sc);
        if (shown.getVolumeBindingMode() == null) {
            shown.setVolumeBindingMode("Immediate");
        }
        return Yaml.dump(shown);
    }

    /** A minimal line diff (longest common subsequence): "  " kept, "- " removed, "+ " added. */
    static List<String> diff(String before, String after) {
        String[] a = before.split("\n");
        String[] b = after.split("\n");
        int[][] lcs = new int[a.length + 1][b.length + 1];
        for (int i = a.length - 1; i >= 0; i--) {
            for (int j = b.length - 1; j >= 0; j--) {
                lcs[i][j] = a[i].equals(b[j]) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        List<String> out = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < a.length || j < b.length) {
            if (i < a.length && j < b.length && a[i].equals(b[j])) {
                out.add("  " + a[i++]);
                j++;
            } else if (j < b.length && (i == a.length || lcs[i][j + 1] >= lcs[i + 1][j])) {
                out.add("+ " + b[j++]);
            } else {
                out.add("- " + a[i++]);
            }
        }
        // Removals before additions read better in a terminal: "- old" then "+ new".
        for (int k = 0; k + 1 < out.size(); k++) {
            if (out.get(k).startsWith("+ ") && out.get(k + 1).startsWith("- ")) {
                String t = out.get(k);
                out.set(k, out.get(k + 1));
                out.set(k + 1, t);
                k = Math.max(-1, k - 2);
            }
        }
        return out;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ZonemoverException.failed("interrupted", e);
        }
    }
}

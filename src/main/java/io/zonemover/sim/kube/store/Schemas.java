package io.zonemover.sim.kube.store;

import com.google.gson.annotations.SerializedName;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Lease;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1PersistentVolume;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaim;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1Scale;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import io.kubernetes.client.openapi.models.V1StorageClass;
import io.kubernetes.client.openapi.models.V1VolumeAttachment;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The structure of the kinds served, taken from client-java's generated model classes (which are generated
 * from the real OpenAPI spec), plus what those classes do not carry: the strategic-merge-patch strategy and
 * merge key of the lists that Kubernetes merges (from the {@code patchStrategy}/{@code patchMergeKey} tags of
 * k8s.io/api). It drives both the OpenAPI documents served and the server's strategic merge patch.
 */
public final class Schemas {

    private Schemas() {
    }

    /** How a list field is patched: "merge" (by {@code mergeKey}, or as a set of primitives) or with retainKeys. */
    public record Strategy(String strategy, String mergeKey) {
        public boolean merge() {
            return strategy.contains("merge");
        }
    }

    private static final Map<String, Strategy> STRATEGIES = new LinkedHashMap<>();

    private static void s(String classField, String strategy, String key) {
        STRATEGIES.put(classField, new Strategy(strategy, key));
    }

    static {
        s("V1ObjectMeta.finalizers", "merge", null);
        s("V1ObjectMeta.ownerReferences", "merge", "uid");
        for (String spec : new String[] {"V1PodSpec"}) {
            s(spec + ".containers", "merge", "name");
            s(spec + ".initContainers", "merge", "name");
            s(spec + ".ephemeralContainers", "merge", "name");
            s(spec + ".volumes", "merge,retainKeys", "name");
            s(spec + ".imagePullSecrets", "merge", "name");
            s(spec + ".hostAliases", "merge", "ip");
            s(spec + ".topologySpreadConstraints", "merge", "topologyKey");
            s(spec + ".resourceClaims", "merge,retainKeys", "name");
            s(spec + ".schedulingGates", "merge", "name");
        }
        for (String c : new String[] {"V1Container", "V1EphemeralContainer"}) {
            s(c + ".env", "merge", "name");
            s(c + ".ports", "merge", "containerPort");
            s(c + ".volumeMounts", "merge", "mountPath");
            s(c + ".volumeDevices", "merge", "devicePath");
        }
        s("V1PodStatus.conditions", "merge", "type");
        s("V1PodStatus.podIPs", "merge", "ip");
        s("V1PodStatus.hostIPs", "merge", "ip");
        s("V1PodStatus.resourceClaimStatuses", "merge,retainKeys", "name");
        s("V1NodeSpec.podCIDRs", "merge", null);
        s("V1NodeStatus.conditions", "merge", "type");
        s("V1NodeStatus.addresses", "merge", "type");
        s("V1PersistentVolumeClaimStatus.conditions", "merge", "type");
        s("V1StatefulSetStatus.conditions", "merge", "type");
        s("V1PodDisruptionBudgetStatus.conditions", "merge", "type");
        s("V1NamespaceStatus.conditions", "merge", "type");
    }

    /** The model class of a kind served. */
    public static Class<?> modelClass(ResourceType t) {
        if (t == ResourceType.PODS) {
            return V1Pod.class;
        } else if (t == ResourceType.NODES) {
            return V1Node.class;
        } else if (t == ResourceType.PVCS) {
            return V1PersistentVolumeClaim.class;
        } else if (t == ResourceType.PVS) {
            return V1PersistentVolume.class;
        } else if (t == ResourceType.NAMESPACES) {
            return V1Namespace.class;
        } else if (t == ResourceType.EVENTS) {
            return CoreV1Event.class;
        } else if (t == ResourceType.STATEFULSETS) {
            return V1StatefulSet.class;
        } else if (t == ResourceType.STORAGECLASSES) {
            return V1StorageClass.class;
        } else if (t == ResourceType.VOLUMEATTACHMENTS) {
            return V1VolumeAttachment.class;
        } else if (t == ResourceType.PDBS) {
            return V1PodDisruptionBudget.class;
        } else if (t == ResourceType.CONFIGMAPS) {
            return V1ConfigMap.class;
        } else if (t == ResourceType.LEASES) {
            return V1Lease.class;
        }
        return null;
    }

    public static Class<?> scaleClass() {
        return V1Scale.class;
    }

    private static final Map<Class<?>, Map<String, Field>> FIELDS = new ConcurrentHashMap<>();

    /** JSON name to field, in declaration order. */
    public static Map<String, Field> fields(Class<?> c) {
        return FIELDS.computeIfAbsent(c, k -> {
            Map<String, Field> m = new LinkedHashMap<>();
            for (Field f : k.getDeclaredFields()) {
                SerializedName sn = f.getAnnotation(SerializedName.class);
                if (sn != null && !Modifier.isStatic(f.getModifiers())) {
                    m.put(sn.value(), f);
                }
            }
            return m;
        });
    }

    public static boolean isModel(Class<?> c) {
        return c != null && c.getPackageName().equals("io.kubernetes.client.openapi.models");
    }

    /** The class of a field's value, or of its elements for a list or map. */
    public static Class<?> valueClass(Field f) {
        Type t = f.getGenericType();
        if (t instanceof ParameterizedType p) {
            Type[] args = p.getActualTypeArguments();
            Type last = args[args.length - 1];
            if (last instanceof Class<?> c) {
                return c;
            }
            if (last instanceof ParameterizedType pp && pp.getRawType() instanceof Class<?> c) {
                return c;
            }
            return Object.class;
        }
        return f.getType();
    }

    /** The model class of field {@code name} of model {@code c} (element class for lists), or null. */
    public static Class<?> child(Class<?> c, String name) {
        if (!isModel(c)) {
            return null;
        }
        Field f = fields(c).get(name);
        if (f == null) {
            return null;
        }
        Class<?> v = valueClass(f);
        return isModel(v) ? v : null;
    }

    /** The patch strategy of list field {@code name} of model {@code c}, or null (the list is replaced). */
    public static Strategy strategy(Class<?> c, String name) {
        return c == null ? null : STRATEGIES.get(c.getSimpleName() + "." + name);
    }

    /**
     * The fields of {@code n} that model {@code c} does not declare, as ".spec.foo" paths: what the real server's
     * strict decoding ({@code fieldValidation=Strict}) refuses. Strategic-merge directives ($...) are skipped.
     */
    public static java.util.List<String> unknownFields(com.fasterxml.jackson.databind.JsonNode n, Class<?> c) {
        java.util.List<String> out = new java.util.ArrayList<>();
        unknown(n, c, "", out);
        return out;
    }

    private static void unknown(com.fasterxml.jackson.databind.JsonNode n, Class<?> c, String path,
                                java.util.List<String> out) {
        if (n == null || !n.isObject() || !isModel(c)) {
            return;
        }
        Map<String, Field> fs = fields(c);
        java.util.Iterator<Map.Entry<String, com.fasterxml.jackson.databind.JsonNode>> it = n.fields();
        while (it.hasNext()) {
            Map.Entry<String, com.fasterxml.jackson.databind.JsonNode> e = it.next();
            String k = e.getKey();
            if (k.startsWith("$")) {
                continue;
            }
            Field f = fs.get(k);
            if (f == null) {
                out.add(path + "." + k);
                continue;
            }
            Class<?> v = valueClass(f);
            if (!isModel(v)) {
                continue;
            }
            com.fasterxml.jackson.databind.JsonNode val = e.getValue();
            if (java.util.List.class.isAssignableFrom(f.getType()) && val.isArray()) {
                for (int i = 0; i < val.size(); i++) {
                    unknown(val.get(i), v, path + "." + k + "[" + i + "]", out);
                }
            } else if (Map.class.isAssignableFrom(f.getType()) && val.isObject()) {
                val.fields().forEachRemaining(x -> unknown(x.getValue(), v, path + "." + k + "." + x.getKey(), out));
            } else {
                unknown(val, v, path + "." + k, out);
            }
        }
    }

    private static final Set<String> META = Set.of("ObjectMeta", "ListMeta", "LabelSelector",
            "LabelSelectorRequirement", "OwnerReference", "ManagedFieldsEntry", "Condition", "Status", "StatusDetails",
            "StatusCause", "DeleteOptions", "Preconditions", "APIResource", "Patch");

    /** The OpenAPI name of a model class: io.k8s.api.core.v1.Pod, io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta. */
    public static String schemaName(Class<?> c) {
        String n = c.getSimpleName();
        String base = n.startsWith("CoreV1") ? n.substring(6) : n.replaceFirst("^V1", "");
        if (META.contains(base)) {
            return "io.k8s.apimachinery.pkg.apis.meta.v1." + base;
        }
        String group = "core";
        if (base.startsWith("StatefulSet") || base.startsWith("RollingUpdateStatefulSet")) {
            group = "apps";
        } else if (base.startsWith("StorageClass") || base.startsWith("VolumeAttachment")
                || base.equals("VolumeError")) {
            group = "storage";
        } else if (base.startsWith("PodDisruptionBudget")) {
            group = "policy";
        } else if (base.startsWith("Lease")) {
            group = "coordination";
        } else if (base.startsWith("Scale")) {
            group = "autoscaling";
        }
        return "io.k8s.api." + group + ".v1." + base;
    }
}

package io.zonemover.cluster;

import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.zonemover.domain.PortError;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The ConfigMaps zonemover keeps in the cluster (a move's record), read, written and deleted whole. A move
 * writes its record at every checkpoint, so a record this process wrote before is replaced straight away: one
 * call, where creating it first would be refused as AlreadyExists and cost a second.
 */
final class ConfigMaps {

    private final CoreV1Api core;
    private final KubeCalls calls;
    /** ConfigMaps this process created or replaced, so known to exist. */
    private final Set<String> written = ConcurrentHashMap.newKeySet();

    ConfigMaps(CoreV1Api core, KubeCalls calls) {
        this.core = core;
        this.calls = calls;
    }

    Optional<Map<String, String>> read(String namespace, String name) {
        return calls.read("read ConfigMap " + namespace + "/" + name,
                () -> core.readNamespacedConfigMap(name, namespace).execute())
                .map(cm -> cm.getData() == null ? Map.of() : cm.getData());
    }

    /** Last writer wins: only the job holding the claims writes its own record. */
    void save(String namespace, String name, Map<String, String> labels, Map<String, String> data) {
        V1ConfigMap cm = new V1ConfigMap().apiVersion("v1").kind("ConfigMap")
                .metadata(new V1ObjectMeta().name(name).namespace(namespace).labels(labels)).data(data);
        String what = "ConfigMap " + namespace + "/" + name;
        boolean replace = written.contains(what);
        try {
            write(what, cm, replace);
        } catch (PortError e) {
            // Replaced but gone (deleted meanwhile), or created but there already (an earlier process's).
            if (!(replace ? e.kind() == PortError.Kind.NOT_FOUND : "AlreadyExists".equals(e.code()))) {
                throw e;
            }
            write(what, cm, !replace);
        }
        written.add(what);
    }

    void delete(String namespace, String name) {
        written.remove("ConfigMap " + namespace + "/" + name);
        calls.delete("delete ConfigMap " + namespace + "/" + name,
                () -> core.deleteNamespacedConfigMap(name, namespace).execute());
    }

    private void write(String what, V1ConfigMap cm, boolean replace) {
        String namespace = cm.getMetadata().getNamespace();
        String name = cm.getMetadata().getName();
        calls.call((replace ? "replace " : "create ") + what, () -> replace
                ? core.replaceNamespacedConfigMap(name, namespace, cm).execute()
                : core.createNamespacedConfigMap(namespace, cm).execute());
    }
}

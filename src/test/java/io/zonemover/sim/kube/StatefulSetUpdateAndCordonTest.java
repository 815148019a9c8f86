package io.zonemover.sim.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import io.kubernetes.client.openapi.models.V1StatefulSetList;
import io.kubernetes.client.openapi.models.V1StatefulSetStatus;
import io.kubernetes.client.openapi.models.V1StatefulSetUpdateStrategy;
import io.kubernetes.client.openapi.models.V1Taint;
import io.kubernetes.client.util.PatchUtils;
import io.kubernetes.client.util.generic.GenericKubernetesApi;
import io.kubernetes.client.util.generic.options.DeleteOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * StatefulSet revisions and update strategies as {@code kubectl rollout status} and zonemover see them, and
 * the cordon taint, through client-java.
 */
class StatefulSetUpdateAndCordonTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    SimHarness h;

    @BeforeEach
    void start() throws Exception {
        h = SimHarness.empty(dir);
        h.core.createNode(KubeApiTest.node("node-b", "us-east-1b")).execute();
        h.core.createNode(KubeApiTest.node("node-c", "us-east-1c")).execute();
        h.storage.createStorageClass(KubeApiTest.storageClass("gp3", "WaitForFirstConsumer")).execute();
    }

    @AfterEach
    void stop() {
        h.close();
    }

    private V1StatefulSetStatus status() throws Exception {
        return h.apps.readNamespacedStatefulSet("web", "default").execute().getStatus();
    }

    private String revisionOf(String pod) throws Exception {
        return h.core.readNamespacedPod(pod, "default").execute().getMetadata().getLabels()
                .get("controller-revision-hash");
    }

    private void changeTemplate() throws Exception {
        PatchUtils.patch(V1StatefulSet.class, () -> h.apps.patchNamespacedStatefulSet("web", "default",
                        new V1Patch("{\"spec\":{\"template\":{\"metadata\":{\"annotations\":{\"rev\":\"2\"}}}}}"))
                        .buildCall(null), V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, h.client);
    }

    @Test
    void aStatefulSetRecreatedFromItsOwnJsonKeepsItsRevisionAndItsPods() throws Exception {
        h.apps.createNamespacedStatefulSet("default", KubeApiTest.statefulSet("web", 2, "gp3")).execute();
        h.advance(60_000);
        String revision = revisionOf("web-0");
        assertThat(status().getUpdateRevision()).isEqualTo(revision);
        assertThat(status().getCurrentRevision()).isEqualTo(revision);
        String uid1 = h.core.readNamespacedPod("web-1", "default").execute().getMetadata().getUid();

        // What `kubectl get sts web -o json` gives, as a tool would save it: keys in another order, the
        // fields a real API server defaults, and the server-set metadata stripped.
        HttpClient http = HttpClient.newHttpClient();
        String url = h.servers.kubeUri() + "/apis/apps/v1/namespaces/default/statefulsets/web";
        ObjectNode saved = (ObjectNode) JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        saved.remove("status");
        ObjectNode meta = (ObjectNode) saved.get("metadata");
        for (String f : List.of("uid", "resourceVersion", "creationTimestamp", "generation")) {
            meta.remove(f);
        }
        ObjectNode template = (ObjectNode) saved.path("spec").path("template");
        ((ObjectNode) template.get("metadata")).putNull("creationTimestamp");
        ObjectNode podSpec = (ObjectNode) template.get("spec");
        podSpec.put("restartPolicy", "Always").put("dnsPolicy", "ClusterFirst")
                .put("schedulerName", "default-scheduler").putObject("securityContext");
        ObjectNode container = (ObjectNode) podSpec.get("containers").get(0);
        container.put("imagePullPolicy", "IfNotPresent").put("terminationMessagePath", "/dev/termination-log")
                .put("terminationMessagePolicy", "File");
        JsonNode reordered = reversed(saved);

        GenericKubernetesApi<V1StatefulSet, V1StatefulSetList> api = new GenericKubernetesApi<>(
                V1StatefulSet.class, V1StatefulSetList.class, "apps", "v1", "statefulsets", h.client);
        DeleteOptions orphan = new DeleteOptions();
        orphan.setPropagationPolicy("Orphan");
        assertThat(api.delete("default", "web", orphan).isSuccess()).isTrue();
        HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(
                        h.servers.kubeUri() + "/apis/apps/v1/namespaces/default/statefulsets"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(reordered.toString())).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        h.advance(60_000);

        assertThat(status().getUpdateRevision()).isEqualTo(revision);
        assertThat(status().getCurrentRevision()).isEqualTo(revision);
        assertThat(status().getUpdatedReplicas()).isEqualTo(2);
        assertThat(h.core.readNamespacedPod("web-1", "default").execute().getMetadata().getUid()).isEqualTo(uid1);
    }

    @Test
    void zonemoversOwnSaveAndRecreateKeepsTheRevisionOfEveryScenarioStatefulSet(@TempDir Path other)
            throws Exception {
        // The path a migration takes: KubeCluster saves the manifest (client-java's serialization, so
        // keys in model order), deletes with Orphan, and creates it again.
        try (SimHarness world = SimHarness.of(other, io.zonemover.sim.Scenarios.create("unbalanced", Map.of(),
                SimHarness.T0))) {
            io.zonemover.cluster.KubeCluster cluster = new io.zonemover.cluster.KubeCluster(world.client);
            for (V1StatefulSet sts : world.apps.listStatefulSetForAllNamespaces().execute().getItems()) {
                String ns = sts.getMetadata().getNamespace();
                String name = sts.getMetadata().getName();
                String revision = sts.getStatus().getUpdateRevision();
                List<String> uids = new ArrayList<>();
                for (V1Pod p : world.core.listNamespacedPod(ns).execute().getItems()) {
                    uids.add(p.getMetadata().getUid());
                }
                String manifest = cluster.statefulSet(ns, name).orElseThrow().manifest();
                cluster.deleteStatefulSetOrphan(ns, name);
                world.advance(1_000);
                cluster.createStatefulSet(manifest, "{\"type\":\"OnDelete\"}");
                world.advance(5 * 60_000);
                V1StatefulSet again = world.apps.readNamespacedStatefulSet(name, ns).execute();
                assertThat(again.getStatus().getUpdateRevision()).as(ns + "/" + name).isEqualTo(revision);
                List<String> after = new ArrayList<>();
                for (V1Pod p : world.core.listNamespacedPod(ns).execute().getItems()) {
                    after.add(p.getMetadata().getUid());
                }
                assertThat(after).as(ns + "/" + name).containsExactlyInAnyOrderElementsOf(uids);
            }
        }
    }

    @Test
    void rollingUpdateReplacesTheHighestOrdinalFirstOneAtATimeWaitingForReady() throws Exception {
        h.apps.createNamespacedStatefulSet("default", KubeApiTest.statefulSet("web", 3, "gp3")).execute();
        h.advance(120_000);
        assertThat(status().getReadyReplicas()).isEqualTo(3);
        String before = status().getCurrentRevision();

        changeTemplate();
        String after = status().getUpdateRevision();
        assertThat(after).isNotEqualTo(before);
        assertThat(status().getObservedGeneration()).isEqualTo(2L);

        List<String> updatedOrder = new ArrayList<>();
        for (int second = 0; second < 180 && updatedOrder.size() < 3; second++) {
            h.advance(1_000);
            List<V1Pod> pods = h.core.listNamespacedPod("default").labelSelector("app=web").execute().getItems();
            int unavailable = 3 - pods.size();
            for (V1Pod p : pods) {
                boolean ready = p.getMetadata().getDeletionTimestamp() == null && p.getStatus().getConditions() != null
                        && p.getStatus().getConditions().stream().anyMatch(c -> c.getType().equals("Ready")
                        && c.getStatus().equals("True"));
                unavailable += ready ? 0 : 1;
                if (ready && after.equals(p.getMetadata().getLabels().get("controller-revision-hash"))
                        && !updatedOrder.contains(p.getMetadata().getName())) {
                    updatedOrder.add(p.getMetadata().getName());
                }
            }
            assertThat(unavailable).as("pods down at once").isLessThanOrEqualTo(1);
        }
        assertThat(updatedOrder).containsExactly("web-2", "web-1", "web-0");
        h.advance(1_000);
        V1StatefulSetStatus done = status();
        assertThat(done.getCurrentRevision()).isEqualTo(after);
        assertThat(done.getUpdatedReplicas()).isEqualTo(3);
        assertThat(done.getCurrentReplicas()).isEqualTo(3);
        assertThat(done.getReadyReplicas()).isEqualTo(3);
    }

    @Test
    void onDeleteNeverReplacesAPodButADeletedOneComesBackAtTheNewRevision() throws Exception {
        V1StatefulSet sts = KubeApiTest.statefulSet("web", 3, "gp3");
        sts.getSpec().updateStrategy(new V1StatefulSetUpdateStrategy().type("OnDelete"));
        h.apps.createNamespacedStatefulSet("default", sts).execute();
        h.advance(120_000);
        String before = status().getCurrentRevision();

        changeTemplate();
        h.advance(10 * 60_000);
        for (String pod : List.of("web-0", "web-1", "web-2")) {
            assertThat(revisionOf(pod)).isEqualTo(before);
        }
        V1StatefulSetStatus s = status();
        assertThat(s.getCurrentRevision()).isEqualTo(before);
        assertThat(s.getUpdateRevision()).isNotEqualTo(before);
        assertThat(s.getUpdatedReplicas()).isZero();
        assertThat(s.getCurrentReplicas()).isEqualTo(3);

        h.core.deleteNamespacedPod("web-1", "default").execute();
        h.advance(120_000);
        assertThat(revisionOf("web-1")).isEqualTo(s.getUpdateRevision());
        assertThat(revisionOf("web-0")).isEqualTo(before);
        assertThat(status().getUpdatedReplicas()).isEqualTo(1);
    }

    @Test
    void cordonAddsTheUnschedulableTaintAndUncordonRemovesIt() throws Exception {
        // What kubectl cordon and uncordon send.
        PatchUtils.patch(V1Node.class, () -> h.core.patchNode("node-b",
                        new V1Patch("{\"spec\":{\"unschedulable\":true}}")).buildCall(null),
                V1Patch.PATCH_FORMAT_STRATEGIC_MERGE_PATCH, h.client);
        List<V1Taint> taints = h.core.readNode("node-b").execute().getSpec().getTaints();
        assertThat(taints).singleElement().satisfies(t -> {
            assertThat(t.getKey()).isEqualTo("node.kubernetes.io/unschedulable");
            assertThat(t.getEffect()).isEqualTo("NoSchedule");
            assertThat(t.getTimeAdded()).isNotNull();
        });
        h.core.createNamespacedPod("default", KubeApiTest.pod("pinned", Map.of("app", "x"), null, null)
                .spec(KubeApiTest.pod("pinned", Map.of(), null, null).getSpec()
                        .nodeSelector(Map.of("topology.kubernetes.io/zone", "us-east-1b")))).execute();
        h.advance(1_000);
        assertThat(h.core.readNamespacedPod("pinned", "default").execute().getSpec().getNodeName()).isNull();

        PatchUtils.patch(V1Node.class, () -> h.core.patchNode("node-b",
                        new V1Patch("{\"spec\":{\"unschedulable\":null}}")).buildCall(null),
                V1Patch.PATCH_FORMAT_STRATEGIC_MERGE_PATCH, h.client);
        assertThat(h.core.readNode("node-b").execute().getSpec().getTaints()).isNullOrEmpty();
        h.advance(1_000);
        assertThat(h.core.readNamespacedPod("pinned", "default").execute().getSpec().getNodeName())
                .isEqualTo("node-b");
    }

    /** The same JSON with every object's keys in reverse order. */
    private static JsonNode reversed(JsonNode n) {
        if (n.isObject()) {
            List<String> keys = new ArrayList<>();
            n.fieldNames().forEachRemaining(keys::add);
            ObjectNode out = JSON.createObjectNode();
            for (int i = keys.size() - 1; i >= 0; i--) {
                out.set(keys.get(i), reversed(n.get(keys.get(i))));
            }
            return out;
        }
        if (n.isArray()) {
            ArrayNode out = JSON.createArrayNode();
            for (Iterator<JsonNode> it = n.elements(); it.hasNext(); ) {
                out.add(reversed(it.next()));
            }
            return out;
        }
        return n;
    }
}

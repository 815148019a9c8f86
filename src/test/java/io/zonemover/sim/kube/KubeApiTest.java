package io.zonemover.sim.kube;

import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1NodeCondition;
import io.kubernetes.client.openapi.models.V1NodeSelector;
import io.kubernetes.client.openapi.models.V1NodeSelectorRequirement;
import io.kubernetes.client.openapi.models.V1NodeSelectorTerm;
import io.kubernetes.client.openapi.models.V1NodeSpec;
import io.kubernetes.client.openapi.models.V1NodeStatus;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1ObjectReference;
import io.kubernetes.client.openapi.models.V1PersistentVolume;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaim;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaimSpec;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaimVolumeSource;
import io.kubernetes.client.openapi.models.V1PersistentVolumeSpec;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.openapi.models.V1CSIPersistentVolumeSource;
import io.kubernetes.client.openapi.models.V1ResourceRequirements;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import io.kubernetes.client.openapi.models.V1StatefulSetList;
import io.kubernetes.client.openapi.models.V1StatefulSetSpec;
import io.kubernetes.client.openapi.models.V1StorageClass;
import io.kubernetes.client.openapi.models.V1Volume;
import io.kubernetes.client.openapi.models.V1VolumeAttachment;
import io.kubernetes.client.openapi.models.V1VolumeMount;
import io.kubernetes.client.openapi.models.V1VolumeNodeAffinity;
import io.kubernetes.client.util.PatchUtils;
import io.kubernetes.client.util.generic.GenericKubernetesApi;
import io.kubernetes.client.util.generic.KubernetesApiResponse;
import io.zonemover.sim.World;
import io.zonemover.sim.ec2.Ec2World;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The simulated Kubernetes API and controllers, driven by the real client-java over HTTP. */
class KubeApiTest {

    @TempDir
    Path dir;
    SimHarness h;

    @BeforeEach
    void start() {
        h = SimHarness.empty(dir);
    }

    @AfterEach
    void stop() {
        h.close();
    }

    // ------------------------------------------------------------------ fixtures

    static V1Node node(String name, String zone) {
        return new V1Node().metadata(new V1ObjectMeta().name(name).labels(Map.of("topology.kubernetes.io/zone", zone)))
                .spec(new V1NodeSpec())
                .status(new V1NodeStatus()
                        .capacity(Map.of("cpu", new Quantity("2"), "memory", new Quantity("8Gi"), "pods",
                                new Quantity("29")))
                        .allocatable(Map.of("cpu", new Quantity("1930m"), "memory", new Quantity("7284Mi"), "pods",
                                new Quantity("29")))
                        .conditions(List.of(new V1NodeCondition().type("Ready").status("True"))));
    }

    static V1StorageClass storageClass(String name, String mode) {
        return new V1StorageClass().metadata(new V1ObjectMeta().name(name)).provisioner("ebs.csi.aws.com")
                .parameters(Map.of("type", "gp3")).reclaimPolicy("Delete").volumeBindingMode(mode);
    }

    static V1Pod pod(String name, Map<String, String> labels, String claim, String nodeName) {
        V1PodSpec spec = new V1PodSpec().containers(List.of(new V1Container().name("app").image("nginx:1.27")
                .resources(new V1ResourceRequirements().requests(Map.of("cpu", new Quantity("100m"))))));
        if (claim != null) {
            spec.volumes(List.of(new V1Volume().name("data").persistentVolumeClaim(
                    new V1PersistentVolumeClaimVolumeSource().claimName(claim))));
        }
        spec.nodeName(nodeName);
        return new V1Pod().metadata(new V1ObjectMeta().name(name).labels(labels)).spec(spec);
    }

    static V1PersistentVolumeClaim claim(String name, String sc, String volumeName) {
        return new V1PersistentVolumeClaim().metadata(new V1ObjectMeta().name(name))
                .spec(new V1PersistentVolumeClaimSpec().accessModes(List.of("ReadWriteOnce")).storageClassName(sc)
                        .volumeName(volumeName)
                        .resources(new io.kubernetes.client.openapi.models.V1VolumeResourceRequirements()
                                .requests(Map.of("storage", new Quantity("10Gi")))));
    }

    /** A static CSI PV for an existing EBS volume in {@code zone}, reserved for default/claim by a claimRef. */
    V1PersistentVolume staticPv(String name, String zone, String sc, String claimName, String uid) {
        String vol = h.store.write(w -> w.ec2().createVolume(zone, 10, "gp3", null, null, false, null, Map.of(),
                w.now(), true));
        V1ObjectReference ref = claimName == null ? null
                : new V1ObjectReference().namespace("default").name(claimName).uid(uid);
        return new V1PersistentVolume().metadata(new V1ObjectMeta().name(name))
                .spec(new V1PersistentVolumeSpec().capacity(Map.of("storage", new Quantity("10Gi")))
                        .accessModes(List.of("ReadWriteOnce")).storageClassName(sc)
                        .persistentVolumeReclaimPolicy("Retain").claimRef(ref)
                        .csi(new V1CSIPersistentVolumeSource().driver("ebs.csi.aws.com").volumeHandle(vol)
                                .fsType("ext4"))
                        .nodeAffinity(new V1VolumeNodeAffinity().required(new V1NodeSelector().nodeSelectorTerms(
                                List.of(new V1NodeSelectorTerm().matchExpressions(List.of(
                                        new V1NodeSelectorRequirement().key("topology.kubernetes.io/zone")
                                                .operator("In").values(List.of(zone)))))))));
    }

    static V1StatefulSet statefulSet(String name, int replicas, String sc) {
        V1StatefulSetSpec spec = new V1StatefulSetSpec().replicas(replicas).serviceName(name)
                .selector(new V1LabelSelector().matchLabels(Map.of("app", name)))
                .template(new V1PodTemplateSpec().metadata(new V1ObjectMeta().labels(Map.of("app", name)))
                        .spec(new V1PodSpec().terminationGracePeriodSeconds(10L).containers(List.of(
                                new V1Container().name("app").image("nginx:1.27")
                                        .volumeMounts(sc == null ? null : List.of(new V1VolumeMount().name("www")
                                                .mountPath("/data")))
                                        .resources(new V1ResourceRequirements().requests(
                                                Map.of("cpu", new Quantity("100m"))))))));
        if (sc != null) {
            spec.volumeClaimTemplates(List.of(claim("www", sc, null)));
        }
        return new V1StatefulSet().metadata(new V1ObjectMeta().name(name)).spec(spec);
    }

    void twoZones() throws ApiException {
        h.core.createNode(node("node-b", "us-east-1b")).execute();
        h.core.createNode(node("node-c", "us-east-1c")).execute();
        h.storage.createStorageClass(storageClass("gp3", "WaitForFirstConsumer")).execute();
    }

    List<CoreV1Event> events(String kind, String name, String reason) throws ApiException {
        return h.core.listEventForAllNamespaces().fieldSelector("involvedObject.kind=" + kind + ",involvedObject.name="
                + name + ",reason=" + reason).execute().getItems();
    }

    // ------------------------------------------------------------------ verbs

    @Test
    void createGetListWithSelectorsAndErrors() throws Exception {
        twoZones();
        V1Node got = h.core.readNode("node-b").execute();
        assertThat(got.getKind()).isEqualTo("Node");
        assertThat(got.getMetadata().getUid()).isNotBlank();
        assertThat(got.getMetadata().getLabels()).containsEntry("topology.ebs.csi.aws.com/zone", "us-east-1b");
        assertThat(got.getSpec().getProviderID()).matches("aws:///us-east-1b/i-[0-9a-f]{17}");

        assertThatThrownBy(() -> h.core.createNode(node("node-b", "us-east-1b")).execute())
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(409);
                    assertThat(e.getResponseBody()).contains("\"reason\":\"AlreadyExists\"").contains("\"kind\":\"Status\"");
                });
        V1Pod nameless = pod(null, Map.of(), null, null);
        assertThatThrownBy(() -> h.core.createNamespacedPod("default", nameless).execute())
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(422));

        h.core.createNamespacedPod("default", pod("a", Map.of("app", "web", "tier", "front"), null, "node-b")).execute();
        h.core.createNamespacedPod("default", pod("b", Map.of("app", "db"), null, null)).execute();
        h.core.createNamespacedPod("other", pod("c", Map.of("app", "web"), null, null)).execute();

        assertThat(names(h.core.listNamespacedPod("default").labelSelector("app in (web,db),tier").execute().getItems()))
                .containsExactly("a");
        assertThat(names(h.core.listNamespacedPod("default").labelSelector("!tier").execute().getItems()))
                .containsExactly("b");
        assertThat(names(h.core.listPodForAllNamespaces().labelSelector("app notin (db)").execute().getItems()))
                .containsExactly("a", "c");
        assertThat(names(h.core.listPodForAllNamespaces().labelSelector("app==web,tier!=back").execute().getItems()))
                .containsExactly("a", "c");
        List<V1Pod> onB = h.core.listPodForAllNamespaces().fieldSelector("spec.nodeName=node-b").execute().getItems();
        assertThat(names(onB)).contains("a");
        assertThat(onB).allSatisfy(p -> assertThat(p.getSpec().getNodeName()).isEqualTo("node-b"));
        assertThat(h.core.listPodForAllNamespaces().fieldSelector("spec.nodeName=node-b,spec.nodeName!=node-b")
                .execute().getItems()).isEmpty();
        assertThat(names(h.core.listNamespacedPod("default").fieldSelector("metadata.name!=a").execute().getItems()))
                .containsExactly("b");
        var list = h.core.listPodForAllNamespaces().execute();
        assertThat(list.getKind()).isEqualTo("PodList");
        assertThat(list.getMetadata().getResourceVersion()).isNotBlank();
        assertThat(list.getItems()).allSatisfy(p -> assertThat(p.getKind()).isEqualTo("Pod"));

        h.advance(30_000);
        assertThat(names(h.core.listPodForAllNamespaces().fieldSelector("status.phase=Running").execute().getItems()))
                .contains("a", "b", "c");
        assertThat(names(h.core.listNode().fieldSelector("spec.unschedulable=false").execute().getItems()))
                .containsExactly("node-b", "node-c");
        assertThat(events("Pod", "b", "Scheduled")).hasSize(1);
        assertThatThrownBy(() -> h.core.listPodForAllNamespaces().fieldSelector("spec.bogus=1").execute())
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(400));
        assertThatThrownBy(() -> h.core.readNamespacedPod("nope", "default").execute())
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(404);
                    assertThat(e.getResponseBody()).contains("pods \\\"nope\\\" not found");
                });
    }

    @Test
    void replaceWithStaleResourceVersionConflicts() throws Exception {
        twoZones();
        V1Node stale = h.core.readNode("node-b").execute();
        V1Node fresh = h.core.readNode("node-b").execute();
        fresh.getMetadata().putLabelsItem("team", "storage");
        V1Node replaced = h.core.replaceNode("node-b", fresh).execute();
        assertThat(replaced.getMetadata().getResourceVersion()).isNotEqualTo(stale.getMetadata().getResourceVersion());
        stale.getMetadata().putLabelsItem("team", "other");
        assertThatThrownBy(() -> h.core.replaceNode("node-b", stale).execute())
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(409);
                    assertThat(e.getResponseBody()).contains("the object has been modified; please apply your "
                            + "changes to the latest version and try again").contains("\"reason\":\"Conflict\"");
                });
    }

    @Test
    void mergeAndJsonPatchTestFailureAndUnsupportedTypes() throws Exception {
        twoZones();
        h.core.createPersistentVolume(staticPv("pv-1", "us-east-1b", "gp3", null, null)).execute();
        V1PersistentVolume merged = PatchUtils.patch(V1PersistentVolume.class,
                () -> h.core.patchPersistentVolume("pv-1",
                        new V1Patch("{\"spec\":{\"persistentVolumeReclaimPolicy\":\"Delete\"}}")).buildCall(null),
                V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, h.client);
        assertThat(merged.getSpec().getPersistentVolumeReclaimPolicy()).isEqualTo("Delete");
        V1PersistentVolume jsonPatched = PatchUtils.patch(V1PersistentVolume.class,
                () -> h.core.patchPersistentVolume("pv-1", new V1Patch("[{\"op\":\"test\",\"path\":\"/spec/"
                        + "persistentVolumeReclaimPolicy\",\"value\":\"Delete\"},{\"op\":\"replace\",\"path\":\"/spec/"
                        + "persistentVolumeReclaimPolicy\",\"value\":\"Retain\"},{\"op\":\"add\",\"path\":\"/metadata/"
                        + "annotations\",\"value\":{\"zonemover.io/migration\":\"job-1\"}}]")).buildCall(null),
                V1Patch.PATCH_FORMAT_JSON_PATCH, h.client);
        assertThat(jsonPatched.getSpec().getPersistentVolumeReclaimPolicy()).isEqualTo("Retain");
        assertThat(jsonPatched.getMetadata().getAnnotations()).containsEntry("zonemover.io/migration", "job-1");
        assertThatThrownBy(() -> PatchUtils.patch(V1PersistentVolume.class,
                () -> h.core.patchPersistentVolume("pv-1", new V1Patch("[{\"op\":\"test\",\"path\":\"/spec/"
                        + "persistentVolumeReclaimPolicy\",\"value\":\"Delete\"}]")).buildCall(null),
                V1Patch.PATCH_FORMAT_JSON_PATCH, h.client))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(422);
                    assertThat(e.getResponseBody()).contains("\"kind\":\"Status\"").contains("test failed");
                });
        // A stale resourceVersion in a merge patch conflicts too.
        assertThatThrownBy(() -> PatchUtils.patch(V1PersistentVolume.class,
                () -> h.core.patchPersistentVolume("pv-1", new V1Patch(
                        "{\"metadata\":{\"resourceVersion\":\"1\"},\"spec\":{\"storageClassName\":\"x\"}}"))
                        .buildCall(null), V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, h.client))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(409));
        // Server-side apply: the manager's fields are recorded; an apply without fieldManager is refused.
        V1PersistentVolume applied = PatchUtils.patch(V1PersistentVolume.class,
                () -> h.core.patchPersistentVolume("pv-1", new V1Patch("metadata:\n  labels:\n    owner: t\n"))
                        .fieldManager("t").buildCall(null), V1Patch.PATCH_FORMAT_APPLY_YAML, h.client);
        assertThat(applied.getMetadata().getLabels()).containsEntry("owner", "t");
        String raw = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(h.servers.kubeUri()
                + "/api/v1/persistentvolumes/pv-1")).build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(raw).contains("{\"manager\":\"t\",\"operation\":\"Apply\"");
        assertThatThrownBy(() -> PatchUtils.patch(V1PersistentVolume.class,
                () -> h.core.patchPersistentVolume("pv-1", new V1Patch("spec: {}")).buildCall(null),
                V1Patch.PATCH_FORMAT_APPLY_YAML, h.client))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(400));
        // Strategic merge: maps merge, and lists with a patch merge key merge by it.
        List<String> finalizers = h.core.readPersistentVolume("pv-1").execute().getMetadata().getFinalizers();
        V1PersistentVolume smp = PatchUtils.patch(V1PersistentVolume.class,
                () -> h.core.patchPersistentVolume("pv-1", new V1Patch("{\"metadata\":{\"labels\":{\"a\":\"b\"},"
                        + "\"finalizers\":[\"example.com/x\"]}}")).buildCall(null),
                V1Patch.PATCH_FORMAT_STRATEGIC_MERGE_PATCH, h.client);
        assertThat(smp.getMetadata().getLabels()).containsEntry("a", "b").containsEntry("owner", "t");
        assertThat(smp.getMetadata().getFinalizers()).contains("example.com/x");
        if (finalizers != null) {
            assertThat(smp.getMetadata().getFinalizers()).containsAll(finalizers);
        }
    }

    @Test
    void deleteWithFinalizerSetsDeletionTimestampUntilFinalizersAreGone() throws Exception {
        twoZones();
        V1PersistentVolume pv = staticPv("pv-held", "us-east-1b", "gp3", null, null);
        pv.getMetadata().finalizers(List.of("example.com/hold"));
        h.core.createPersistentVolume(pv).execute();
        V1PersistentVolume deleted = h.core.deletePersistentVolume("pv-held").execute();
        assertThat(deleted.getMetadata().getDeletionTimestamp()).isNotNull();
        V1PersistentVolume still = h.core.readPersistentVolume("pv-held").execute();
        assertThat(still.getMetadata().getDeletionTimestamp()).isNotNull();
        assertThat(still.getMetadata().getFinalizers()).containsExactly("example.com/hold");
        PatchUtils.patch(V1PersistentVolume.class, () -> h.core.patchPersistentVolume("pv-held",
                        new V1Patch("[{\"op\":\"remove\",\"path\":\"/metadata/finalizers\"}]")).buildCall(null),
                V1Patch.PATCH_FORMAT_JSON_PATCH, h.client);
        assertThatThrownBy(() -> h.core.readPersistentVolume("pv-held").execute())
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(404));
    }

    @Test
    void watchStreamsEventsAndExpiresOldVersions() throws Exception {
        twoZones();
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(h.servers.kubeUri() + "/api/v1/nodes?watch=true&timeoutSeconds=1")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body().lines().toList()).hasSize(2).allSatisfy(l -> assertThat(l).startsWith("{\"type\":\"ADDED\""));
        HttpResponse<String> old = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(h.servers.kubeUri() + "/api/v1/nodes?watch=true&resourceVersion=1&timeoutSeconds=1"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(old.body()).contains("\"type\":\"ERROR\"").contains("\"code\":410").contains("Expired");
        HttpResponse<String> d = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(h.servers.kubeUri() + "/apis/apps/v1")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(d.body()).contains("\"name\":\"statefulsets\"").contains("\"kind\":\"APIResourceList\"");
    }

    // ------------------------------------------------------------------ StatefulSets and GC

    @Test
    void orphanDeleteKeepsPodsAndANewStatefulSetAdoptsThem() throws Exception {
        twoZones();
        h.apps.createNamespacedStatefulSet("default", statefulSet("web", 2, "gp3")).execute();
        h.advance(60_000);
        assertThat(h.apps.readNamespacedStatefulSet("web", "default").execute().getStatus().getReadyReplicas())
                .isEqualTo(2);
        GenericKubernetesApi<V1StatefulSet, V1StatefulSetList> api = new GenericKubernetesApi<>(V1StatefulSet.class,
                V1StatefulSetList.class, "apps", "v1", "statefulsets", h.client);
        io.kubernetes.client.util.generic.options.DeleteOptions orphan =
                new io.kubernetes.client.util.generic.options.DeleteOptions();
        orphan.setPropagationPolicy("Orphan");
        KubernetesApiResponse<V1StatefulSet> resp = api.delete("default", "web", orphan);
        assertThat(resp.isSuccess()).isTrue();
        assertThat(resp.getObject().getMetadata().getFinalizers()).contains("orphan");
        assertThatThrownBy(() -> h.apps.readNamespacedStatefulSet("web", "default").execute())
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(404));
        List<V1Pod> pods = h.core.listNamespacedPod("default").labelSelector("app=web").execute().getItems();
        assertThat(names(pods)).containsExactly("web-0", "web-1");
        assertThat(pods).allSatisfy(p -> assertThat(p.getMetadata().getOwnerReferences()).isNullOrEmpty());
        String uid0 = pods.get(0).getMetadata().getUid();

        h.apps.createNamespacedStatefulSet("default", statefulSet("web", 2, "gp3")).execute();
        h.advance(5_000);
        V1Pod adopted = h.core.readNamespacedPod("web-0", "default").execute();
        assertThat(adopted.getMetadata().getUid()).isEqualTo(uid0);
        assertThat(adopted.getMetadata().getOwnerReferences()).hasSize(1);

        // Background (the default) deletes the pods.
        KubernetesApiResponse<V1StatefulSet> bg = api.delete("default", "web");
        assertThat(bg.isSuccess()).isTrue();
        h.advance(30_000);
        assertThat(h.core.listNamespacedPod("default").labelSelector("app=web").execute().getItems()).isEmpty();
    }

    @Test
    void pvcProtectionStatefulSetRecreationAndTheEmptyVolumeRace() throws Exception {
        twoZones();
        h.apps.createNamespacedStatefulSet("default", statefulSet("web", 1, "gp3")).execute();
        h.advance(60_000);
        V1PersistentVolumeClaim original = h.core.readNamespacedPersistentVolumeClaim("www-web-0", "default").execute();
        assertThat(original.getStatus().getPhase()).isEqualTo("Bound");
        assertThat(original.getMetadata().getFinalizers()).contains("kubernetes.io/pvc-protection");
        String oldPv = original.getSpec().getVolumeName();

        // In use by a scheduled pod: the claim stays Terminating.
        h.core.deleteNamespacedPersistentVolumeClaim("www-web-0", "default").execute();
        h.advance(30_000);
        V1PersistentVolumeClaim terminating = h.core.readNamespacedPersistentVolumeClaim("www-web-0", "default")
                .execute();
        assertThat(terminating.getMetadata().getDeletionTimestamp()).isNotNull();
        assertThat(terminating.getStatus().getPhase()).isEqualTo("Bound");

        // Delete the pod: the controller recreates it with the same name, first failing on the terminating
        // claim, then creating a new claim from the template, which provisions a new, empty volume.
        String oldPodUid = h.core.readNamespacedPod("web-0", "default").execute().getMetadata().getUid();
        V1Pod deleting = h.core.deleteNamespacedPod("web-0", "default").execute();
        assertThat(deleting.getMetadata().getDeletionTimestamp()).isNotNull();
        h.advance(60_000);
        List<CoreV1Event> failed = events("StatefulSet", "web", "FailedCreate");
        assertThat(failed).extracting(CoreV1Event::getMessage)
                .contains("create Pod web-0 in StatefulSet web failed error: pvc www-web-0 is being deleted");
        V1Pod recreated = h.core.readNamespacedPod("web-0", "default").execute();
        assertThat(recreated.getMetadata().getUid()).isNotEqualTo(oldPodUid);
        assertThat(recreated.getStatus().getPhase()).isEqualTo("Running");
        V1PersistentVolumeClaim fresh = h.core.readNamespacedPersistentVolumeClaim("www-web-0", "default").execute();
        assertThat(fresh.getMetadata().getUid()).isNotEqualTo(original.getMetadata().getUid());
        assertThat(fresh.getSpec().getVolumeName()).isNotEqualTo(oldPv).isEqualTo("pvc-" + fresh.getMetadata().getUid());
        // The old PV (Delete policy) went with its claim; the new volume carries the CSI driver's tags.
        assertThatThrownBy(() -> h.core.readPersistentVolume(oldPv).execute()).isInstanceOf(ApiException.class);
        V1PersistentVolume pv = h.core.readPersistentVolume(fresh.getSpec().getVolumeName()).execute();
        String vol = pv.getSpec().getCsi().getVolumeHandle();
        Map<String, Object> volume = h.world(w -> findVolume(w, vol));
        @SuppressWarnings("unchecked")
        Map<String, String> tags = (Map<String, String>) volume.get("tags");
        assertThat(tags).containsEntry("CSIVolumeName", pv.getMetadata().getName())
                .containsEntry("ebs.csi.aws.com/cluster", "true")
                .containsEntry("kubernetes.io/created-for/pvc/name", "www-web-0")
                .containsEntry("kubernetes.io/created-for/pvc/namespace", "default");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> findVolume(World w, String id) {
        for (Object o : (List<Object>) w.show().get("volumes")) {
            Map<String, Object> v = (Map<String, Object>) o;
            if (id.equals(v.get("id"))) {
                return v;
            }
        }
        throw new AssertionError("no volume " + id);
    }

    // ------------------------------------------------------------------ binding

    @Test
    void bindingRules() throws Exception {
        twoZones();
        // Pre-bound by a claimRef without uid, and the claim names the volume: binds at once (even under WFFC).
        h.core.createPersistentVolume(staticPv("pv-a", "us-east-1b", "gp3", "claim-a", null)).execute();
        h.core.createNamespacedPersistentVolumeClaim("default", claim("claim-a", "gp3", "pv-a")).execute();
        V1PersistentVolumeClaim a = h.core.readNamespacedPersistentVolumeClaim("claim-a", "default").execute();
        assertThat(a.getStatus().getPhase()).isEqualTo("Bound");
        assertThat(a.getMetadata().getAnnotations()).containsEntry("pv.kubernetes.io/bind-completed", "yes");
        V1PersistentVolume pvA = h.core.readPersistentVolume("pv-a").execute();
        assertThat(pvA.getStatus().getPhase()).isEqualTo("Bound");
        assertThat(pvA.getSpec().getClaimRef().getUid()).isEqualTo(a.getMetadata().getUid());

        // The claim goes: the PV's claimRef uid is stale -> Released, and it does not rebind by itself.
        h.core.deleteNamespacedPersistentVolumeClaim("claim-a", "default").execute();
        assertThat(h.core.readPersistentVolume("pv-a").execute().getStatus().getPhase()).isEqualTo("Released");
        h.core.createNamespacedPersistentVolumeClaim("default", claim("claim-a", "gp3", "pv-a")).execute();
        h.advance(10_000);
        assertThat(h.core.readNamespacedPersistentVolumeClaim("claim-a", "default").execute().getStatus().getPhase())
                .isEqualTo("Pending");
        assertThat(h.core.readPersistentVolume("pv-a").execute().getStatus().getPhase()).isEqualTo("Released");
        // Removing the claimRef makes it Available, and the waiting claim binds.
        PatchUtils.patch(V1PersistentVolume.class, () -> h.core.patchPersistentVolume("pv-a",
                        new V1Patch("[{\"op\":\"remove\",\"path\":\"/spec/claimRef\"}]")).buildCall(null),
                V1Patch.PATCH_FORMAT_JSON_PATCH, h.client);
        assertThat(h.core.readNamespacedPersistentVolumeClaim("claim-a", "default").execute().getStatus().getPhase())
                .isEqualTo("Bound");

        // A storageClassName mismatch leaves the claim Pending with a VolumeMismatch event.
        h.core.createPersistentVolume(staticPv("pv-c", "us-east-1b", "gp2", "claim-c", null)).execute();
        h.core.createNamespacedPersistentVolumeClaim("default", claim("claim-c", "gp3", "pv-c")).execute();
        h.advance(10_000);
        assertThat(h.core.readNamespacedPersistentVolumeClaim("claim-c", "default").execute().getStatus().getPhase())
                .isEqualTo("Pending");
        assertThat(events("PersistentVolumeClaim", "claim-c", "VolumeMismatch")).extracting(CoreV1Event::getMessage)
                .containsExactly("Cannot bind to requested volume \"pv-c\": storageClassName does not match");
    }

    // ------------------------------------------------------------------ attach

    @Test
    void aPodOnANodeInAnotherZoneCannotAttachItsVolume() throws Exception {
        twoZones();
        h.core.createPersistentVolume(staticPv("pv-x", "us-east-1b", "gp3", "claim-x", null)).execute();
        h.core.createNamespacedPersistentVolumeClaim("default", claim("claim-x", "gp3", "pv-x")).execute();
        // Bound directly to a node in us-east-1c, as a manual nodeName (or a stale scheduler decision) would.
        h.core.createNamespacedPod("default", pod("stray", Map.of("app", "stray"), "claim-x", "node-c")).execute();
        h.advance(30_000);
        assertThat(h.core.readNamespacedPod("stray", "default").execute().getStatus().getPhase()).isEqualTo("Pending");
        List<CoreV1Event> ev = events("Pod", "stray", "FailedAttachVolume");
        assertThat(ev).hasSize(1);
        assertThat(ev.get(0).getType()).isEqualTo("Warning");
        assertThat(ev.get(0).getMessage()).startsWith("AttachVolume.Attach failed for volume \"pv-x\" : ")
                .contains("InvalidVolume.ZoneMismatch");
        List<V1VolumeAttachment> vas = h.storage.listVolumeAttachment().execute().getItems();
        assertThat(vas).hasSize(1);
        assertThat(vas.get(0).getSpec().getSource().getPersistentVolumeName()).isEqualTo("pv-x");
        assertThat(vas.get(0).getStatus().getAttachError().getMessage()).contains("InvalidVolume.ZoneMismatch");

        // Deleting the pod lets the attachment go.
        h.core.deleteNamespacedPod("stray", "default").execute();
        h.advance(10_000);
        assertThat(h.storage.listVolumeAttachment().execute().getItems()).isEmpty();
    }

    static List<String> names(List<? extends io.kubernetes.client.common.KubernetesObject> objects) {
        return objects.stream().map(o -> o.getMetadata().getName()).sorted().toList();
    }
}

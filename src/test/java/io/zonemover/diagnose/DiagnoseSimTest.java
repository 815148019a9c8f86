package io.zonemover.diagnose;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.StorageV1Api;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1PersistentVolume;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaim;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaimSpec;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaimVolumeSource;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1StorageClass;
import io.kubernetes.client.openapi.models.V1Volume;
import io.kubernetes.client.openapi.models.V1VolumeResourceRequirements;
import io.kubernetes.client.util.ClientBuilder;
import io.zonemover.cli.Main;
import io.zonemover.cluster.PvFacts;
import io.zonemover.sim.Scenarios;
import io.zonemover.sim.SimServers;
import io.zonemover.sim.World;
import io.zonemover.sim.WorldStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * End to end: the real command line, the real client-java, over HTTP to the simulated world. Checked
 * against the world's ground truth ({@link World#show()}), never against the code under test.
 */
class DiagnoseSimTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final double TIME_SCALE = 60;

    @TempDir
    Path dir;

    record Run(int code, String out, String err) {
        JsonNode json() throws Exception {
            return JSON.readTree(out);
        }
    }

    static Run zonemover(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    private void world(String scenario) {
        World world = Scenarios.create(scenario, Map.of(), System.currentTimeMillis());
        WorldStore.create(dir, world, TIME_SCALE, scenario);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> show() {
        return WorldStore.open(dir).read(World::show);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Map<String, Object> show, String key) {
        return (List<Map<String, Object>>) show.get(key);
    }

    @Test
    void stuckPodReportsTheConflictWithAZoneThatHasRoomAndTheExactCommand() throws Exception {
        world("stuck-pod");
        Run run = zonemover("--sim", dir.toString(), "diagnose", "-o", "json");
        assertEquals(1, run.code(), run.err());
        JsonNode findings = run.json().get("findings");

        JsonNode conflict = only(findings, "VolumeNodeAffinityConflict", "web-3");
        Map<String, Object> truth = show();
        Map<String, Object> pv = list(truth, "pvs").stream()
                .filter(p -> "default/www-web-3".equals(p.get("claim"))).findFirst().orElseThrow();
        assertEquals("default", conflict.get("namespace").asText());
        assertEquals("www-web-3", conflict.get("claim").asText());
        assertEquals(pv.get("name"), conflict.get("pv").asText());
        assertEquals(pv.get("volumeId"), conflict.get("volumeId").asText());
        assertEquals(pv.get("zone"), conflict.get("volumeZone").asText());
        String suggested = conflict.get("suggestedZone").asText();
        assertNotEquals(pv.get("zone"), suggested);
        assertTrue(((List<?>) truth.get("zones")).contains(suggested), suggested);
        assertTrue(list(truth, "nodes").stream().anyMatch(n -> suggested.equals(n.get("zone"))
                && Boolean.TRUE.equals(n.get("ready")) && Boolean.TRUE.equals(n.get("schedulable"))),
                "a Ready, schedulable node in " + suggested);
        assertEquals("zonemover migrate default/www-web-3 --to " + suggested, conflict.get("command").asText());

        JsonNode gp2 = only(findings, "ImmediateBindingStorageClass", null);
        assertEquals("gp2", gp2.get("storageClass").asText());
        assertEquals("zonemover storageclass fix gp2", gp2.get("command").asText());

        Run table = zonemover("--sim", dir.toString(), "diagnose");
        assertEquals(1, table.code());
        assertTrue(table.out().contains("KIND"), table.out());
        assertTrue(table.out().contains("default/web-3"), table.out());
        assertTrue(table.out().contains("zonemover migrate default/www-web-3 --to " + suggested), table.out());
    }

    @Test
    void healthyWorldHasNoFindings() throws Exception {
        world("healthy");
        Run run = zonemover("--sim", dir.toString(), "diagnose", "-A", "-o", "json");
        assertEquals(0, run.code(), run.out() + run.err());
        assertEquals(0, run.json().get("findings").size(), run.out());
        Run table = zonemover("--sim", dir.toString(), "diagnose");
        assertEquals(0, table.code());
        assertTrue(table.out().startsWith("No problems found"), table.out());
    }

    @Test
    void unbalancedWorldReportsTheImbalance() throws Exception {
        world("unbalanced");
        Run run = zonemover("--sim", dir.toString(), "diagnose", "-o", "json");
        assertEquals(1, run.code(), run.err());
        Map<String, Object> truth = show();
        int imbalances = 0;
        for (JsonNode f : run.json().get("findings")) {
            if (!"ZoneImbalance".equals(f.get("kind").asText())) {
                continue;
            }
            imbalances++;
            String claim = f.get("namespace").asText() + "/" + f.get("claim").asText();
            Map<String, Object> pv = list(truth, "pvs").stream().filter(p -> claim.equals(p.get("claim")))
                    .findFirst().orElseThrow();
            assertEquals(pv.get("zone"), f.get("volumeZone").asText());
            assertNotEquals(f.get("volumeZone").asText(), f.get("suggestedZone").asText());
            assertEquals("zonemover migrate " + claim + " --to " + f.get("suggestedZone").asText(), f.get("command").asText());
        }
        assertTrue(imbalances > 0, run.out());
    }

    @Test
    void badFlagsAndMissingWorld() {
        assertEquals(2, zonemover("diagnose", "-n", "x", "-A").code());
        assertEquals(2, zonemover("diagnose", "--bogus").code());
    }

    @Test
    void storageClassFixMakesNewVolumesFollowTheirPod() throws Exception {
        world("stuck-pod");
        Run dry = zonemover("--sim", dir.toString(), "storageclass", "fix", "gp2", "--dry-run");
        assertEquals(0, dry.code(), dry.err());
        assertTrue(dry.out().contains("- volumeBindingMode: Immediate"), dry.out());
        assertTrue(dry.out().contains("+ volumeBindingMode: WaitForFirstConsumer"), dry.out());

        Run unknown = zonemover("--sim", dir.toString(), "storageclass", "fix", "nope", "--yes");
        assertEquals(2, unknown.code(), unknown.err());

        Run fix = zonemover("--sim", dir.toString(), "storageclass", "fix", "gp2", "--yes");
        assertEquals(0, fix.code(), fix.out() + fix.err());
        Run again = zonemover("--sim", dir.toString(), "storageclass", "fix", "gp2", "--yes");
        assertEquals(3, again.code(), again.err());

        Run diagnose = zonemover("--sim", dir.toString(), "diagnose", "-o", "json");
        for (JsonNode f : diagnose.json().get("findings")) {
            assertNotEquals("ImmediateBindingStorageClass", f.get("kind").asText(), diagnose.out());
        }

        try (SimServers sim = SimServers.start(WorldStore.open(dir), 0, 0)) {
            ApiClient client = new ClientBuilder().setBasePath(sim.kubeUri().toString()).build();
            CoreV1Api core = new CoreV1Api(client);
            V1StorageClass gp2 = new StorageV1Api(client).readStorageClass("gp2").execute();
            assertEquals("WaitForFirstConsumer", gp2.getVolumeBindingMode());

            core.createNamespacedPersistentVolumeClaim("default", new V1PersistentVolumeClaim()
                    .metadata(new V1ObjectMeta().name("scratch"))
                    .spec(new V1PersistentVolumeClaimSpec().storageClassName("gp2").accessModes(List.of("ReadWriteOnce"))
                            .resources(new V1VolumeResourceRequirements().requests(Map.of("storage", Quantity.fromString("1Gi"))))))
                    .execute();
            Thread.sleep(1500); // 90 world seconds: an Immediate class would have provisioned by now
            V1PersistentVolumeClaim waiting = core.readNamespacedPersistentVolumeClaim("scratch", "default").execute();
            assertNull(waiting.getSpec().getVolumeName(), "no volume before a pod uses the claim");
            assertEquals("Pending", waiting.getStatus().getPhase());

            core.createNamespacedPod("default", new V1Pod().metadata(new V1ObjectMeta().name("scratch-user"))
                    .spec(new V1PodSpec().containers(List.of(new V1Container().name("c").image("busybox")))
                            .volumes(List.of(new V1Volume().name("data").persistentVolumeClaim(
                                    new V1PersistentVolumeClaimVolumeSource().claimName("scratch"))))))
                    .execute();
            long deadline = System.currentTimeMillis() + 30_000;
            V1PersistentVolumeClaim bound = null;
            V1Pod pod = null;
            while (System.currentTimeMillis() < deadline) {
                bound = core.readNamespacedPersistentVolumeClaim("scratch", "default").execute();
                pod = core.readNamespacedPod("scratch-user", "default").execute();
                if (bound.getSpec().getVolumeName() != null && pod.getSpec().getNodeName() != null) {
                    break;
                }
                Thread.sleep(200);
            }
            assertNotNull(bound.getSpec().getVolumeName(), "claim bound once its pod was scheduled");
            assertNotNull(pod.getSpec().getNodeName());
            String nodeZone = PvFacts.nodeZone(core.readNode(pod.getSpec().getNodeName()).execute());
            V1PersistentVolume pv = core.readPersistentVolume(bound.getSpec().getVolumeName()).execute();
            assertEquals(nodeZone, PvFacts.zone(pv).orElseThrow(), "volume provisioned in the pod's zone");
        }
        // Existing volumes untouched: web-3's PV is still there, in its zone.
        assertTrue(list(show(), "pvs").stream().anyMatch(p -> "default/www-web-3".equals(p.get("claim"))));
    }

    /**
     * A move interrupted at final-snapshot, as its ConfigMap and the claim's annotation show it, written
     * through client-java: diagnose reports it first, from the cluster alone, with the command to adopt it,
     * and suggests no other move for the claim; then again once the StatefulSet and pod are gone, as a
     * move at that step leaves them.
     */
    @Test
    void interruptedMoveIsSeenFromTheClusterAlone() throws Exception {
        world("stuck-pod");
        String jobId = "zm-1a2b3c";
        try (SimServers sim = SimServers.start(WorldStore.open(dir), 0, 0)) {
            ApiClient client = new ClientBuilder().setBasePath(sim.kubeUri().toString()).build();
            CoreV1Api core = new CoreV1Api(client);
            String moveJson = JSON.writeValueAsString(Map.of("jobId", jobId, "namespace", "default", "pod", "web-3",
                    "statefulSet", "web", "claims", List.of("www-web-3"), "fromZone", "us-east-1b",
                    "toZone", "us-east-1c", "step", "final-snapshot", "pointOfNoReturn", false,
                    "updatedAt", "2026-11-30T08:00:00Z"));
            core.createNamespacedConfigMap("default", new V1ConfigMap()
                    .metadata(new V1ObjectMeta().name("zonemover-" + jobId).labels(Map.of(
                            "app.kubernetes.io/managed-by", "zonemover", "zonemover.io/job", jobId,
                            "zonemover.io/pod", "web-3")))
                    .data(Map.of("move.json", moveJson))).execute();
            // Another tool's ConfigMap, not labelled: never read.
            core.createNamespacedConfigMap("default", new V1ConfigMap()
                    .metadata(new V1ObjectMeta().name("zonemover-not-ours")).data(Map.of("move.json", "{}"))).execute();
            V1PersistentVolumeClaim claim = core.readNamespacedPersistentVolumeClaim("www-web-3", "default").execute();
            claim.getMetadata().putAnnotationsItem("zonemover.io/migration", jobId);
            core.replaceNamespacedPersistentVolumeClaim("www-web-3", "default", claim).execute();
        }

        Run run = zonemover("--sim", dir.toString(), "diagnose", "-o", "json");
        assertEquals(1, run.code(), run.err());
        JsonNode findings = run.json().get("findings");
        JsonNode move = findings.get(0);
        assertEquals("InterruptedMove", move.get("kind").asText(), findings.toString());
        assertEquals(1, count(findings, "InterruptedMove"), findings.toString());
        assertEquals(jobId, move.get("jobId").asText());
        assertEquals("default", move.get("namespace").asText());
        assertEquals("web-3", move.get("pod").asText());
        assertEquals("www-web-3", move.get("claim").asText());
        assertEquals("www-web-3", move.get("claims").get(0).get("claim").asText());
        assertEquals("web", move.get("statefulSet").asText());
        assertFalse(move.get("statefulSetMissing").asBoolean());
        assertEquals("final-snapshot", move.get("step").asText());
        assertEquals("zonemover jobs adopt default/www-web-3", move.get("command").asText());
        for (JsonNode f : findings) {
            assertFalse("www-web-3".equals(f.path("claim").asText()) && f.path("command").asText().contains("migrate"),
                    "no move suggested for a claim under a move: " + f);
        }

        try (SimServers sim = SimServers.start(WorldStore.open(dir), 0, 0)) {
            ApiClient client = new ClientBuilder().setBasePath(sim.kubeUri().toString()).build();
            new AppsV1Api(client).deleteNamespacedStatefulSet("web", "default").propagationPolicy("Orphan").execute();
            new CoreV1Api(client).deleteNamespacedPod("web-3", "default").gracePeriodSeconds(0).execute();
        }
        JsonNode after = zonemover("--sim", dir.toString(), "diagnose", "-o", "json").json().get("findings").get(0);
        assertEquals("InterruptedMove", after.get("kind").asText());
        assertTrue(after.get("statefulSetMissing").asBoolean(), after.toString());
        assertTrue(after.get("message").asText().startsWith("StatefulSet web is deleted and pod web-3 is stopped; move "
                + jobId + " was interrupted in step final-snapshot"), after.toString());

        Run table = zonemover("--sim", dir.toString(), "diagnose");
        assertTrue(table.out().startsWith("!! 1 interrupted move(s)"), table.out());
        assertTrue(table.out().contains("web (deleted)"), table.out());
        assertTrue(table.out().contains("zonemover jobs adopt default/www-web-3"), table.out());
    }

    private static int count(JsonNode findings, String kind) {
        int n = 0;
        for (JsonNode f : findings) {
            n += kind.equals(f.get("kind").asText()) ? 1 : 0;
        }
        return n;
    }

    private static JsonNode only(JsonNode findings, String kind, String pod) {
        JsonNode found = null;
        int count = 0;
        for (JsonNode f : findings) {
            if (kind.equals(f.get("kind").asText()) && (pod == null || pod.equals(f.get("pod").asText()))) {
                found = f;
                count++;
            }
        }
        assertEquals(1, count, kind + " " + pod + " in " + findings);
        return found;
    }
}

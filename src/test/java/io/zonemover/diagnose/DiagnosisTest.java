package io.zonemover.diagnose;

import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1PersistentVolume;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaim;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import io.kubernetes.client.openapi.models.V1StorageClass;
import io.zonemover.cluster.ClusterSnapshot;
import io.zonemover.diagnose.Finding.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.zonemover.diagnose.Fixtures.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Findings from hand-built snapshots: fast, no HTTP. The end-to-end tests run the same code on the sim. */
class DiagnosisTest {

    static final String B = "us-east-1b";
    static final String C = "us-east-1c";
    static final String D = "us-east-1d";
    static final String ZONE = "topology.kubernetes.io/zone";

    /** A mutable world: the stuck-pod incident in miniature. */
    static final class World {
        List<V1Node> nodes = new ArrayList<>();
        List<V1Pod> pods = new ArrayList<>();
        List<V1PersistentVolumeClaim> claims = new ArrayList<>();
        List<V1PersistentVolume> pvs = new ArrayList<>();
        List<V1StorageClass> classes = new ArrayList<>();
        List<V1StatefulSet> sets = new ArrayList<>();
        List<CoreV1Event> events = new ArrayList<>();

        ClusterSnapshot snapshot(String namespace) {
            return new ClusterSnapshot(namespace, nodes, pods, claims, pvs, classes, sets, events);
        }

        List<Finding> diagnose() {
            return Diagnosis.of(snapshot(null));
        }

        V1Pod replica(String sts, int i, String zone, String nodeName) {
            String claim = "www-" + sts + "-" + i;
            String pv = "pvc-" + sts + "-" + i;
            claims.add(claim("default", claim, pv, "gp3"));
            pvs.add(csiPv(pv, "vol-0" + sts.hashCode() % 100 + i, ZONE, zone));
            V1Pod pod = pod("default", sts + "-" + i, sts, claim, nodeName, "500m");
            pods.add(pod);
            return pod;
        }
    }

    static World stuckPod() {
        World w = new World();
        w.nodes.add(node("b1", B, "2", "8Gi"));
        w.nodes.add(node("c1", C, "4", "8Gi"));
        w.nodes.add(node("c2", C, "4", "8Gi"));
        w.nodes.add(node("d1", D, "2", "8Gi"));
        w.classes.add(storageClass("gp3", "ebs.csi.aws.com", "WaitForFirstConsumer"));
        w.sets.add(statefulSet("default", "web", 4, "www", "500m"));
        w.replica("web", 0, B, "b1");
        w.replica("web", 1, C, "c1");
        w.replica("web", 2, D, "d1");
        w.replica("web", 3, B, null);
        // b1 is full: another tenant's pod takes the rest of its cpu.
        w.pods.add(pod("other", "batch", null, null, "b1", "1500m"));
        return w;
    }

    @Test
    void healthyClusterHasNoFindings() {
        World w = stuckPod();
        w.pods.removeIf(p -> p.getMetadata().getName().equals("batch"));
        assertEquals(List.of(), w.diagnose());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "0/4 nodes are available: 1 Insufficient cpu, 3 node(s) had volume node affinity conflict.",
            "0/4 nodes are available: 1 Insufficient cpu, 3 node(s) didn't match PersistentVolume's node affinity.",
            "0/4 nodes are available: 1 Insufficient cpu, 3 node(s) had no available volume zone.",
    })
    void stuckPodFoundFromTheSchedulersWordsInEveryVersion(String message) {
        World w = stuckPod();
        unschedulable(w.pods.get(3), message);
        Finding f = single(w.diagnose(), Kind.VolumeNodeAffinityConflict);
        assertEquals("web-3", f.pod());
        assertEquals("www-web-3", f.claim());
        assertEquals(B, f.volumeZone());
        assertEquals(C, f.suggestedZone(), "c and d hold one replica each; c has more free cpu");
        assertEquals("zonemover migrate default/www-web-3 --to us-east-1c", f.command());
        assertTrue(f.message().contains("(0/1 nodes are available: 1 Insufficient cpu)"), f.message());
        assertTrue(f.message().contains("Scheduler: " + message.substring(0, message.length() - 1)), f.message());
        assertEquals("web", f.statefulSet());
    }

    @Test
    void stuckPodFoundWithoutAnyEventOrCondition() {
        Finding f = single(stuckPod().diagnose(), Kind.VolumeNodeAffinityConflict);
        assertEquals("pvc-web-3", f.pv());
        assertTrue(f.volumeId().startsWith("vol-"));
        assertEquals(C, f.suggestedZone());
    }

    @Test
    void cordonedAndTaintedNodesCountAsNoRoom() {
        World w = stuckPod();
        w.pods.removeIf(p -> p.getMetadata().getName().equals("batch"));
        cordon(w.nodes.get(0));
        assertTrue(single(w.diagnose(), Kind.VolumeNodeAffinityConflict).message().contains("node(s) were unschedulable"));
        w.nodes.get(0).getSpec().setUnschedulable(false);
        taint(w.nodes.get(0), "maintenance", "true");
        assertTrue(single(w.diagnose(), Kind.VolumeNodeAffinityConflict).message()
                .contains("node(s) had untolerated taint {maintenance: true}"));
    }

    @Test
    void eventsAreMatchedByUidNotName() {
        World w = stuckPod();
        w.pods.removeIf(p -> p.getMetadata().getName().equals("batch"));
        V1Pod web3 = w.pods.get(3);
        // A stale event from an earlier pod with the same name: ignored, since b has room now.
        V1Pod earlier = pod("default", "web-3", "web", "www-web-3", null, "500m");
        w.events.add(event(earlier, "FailedScheduling", "0/4 nodes are available: 4 node(s) had volume node affinity conflict."));
        assertEquals(List.of(), w.diagnose());
        w.events.add(event(web3, "FailedScheduling", "0/4 nodes are available: 4 node(s) had volume node affinity conflict."));
        Finding f = single(w.diagnose(), Kind.VolumeNodeAffinityConflict);
        assertTrue(f.message().contains("has room now"), f.message());
    }

    @Test
    void noRoomAnywhereGivesNoCommand() {
        World w = stuckPod();
        w.nodes.removeIf(n -> !n.getMetadata().getName().equals("b1"));
        w.nodes.add(cordon(node("c1", C, "4", "8Gi")));
        Finding f = single(w.diagnose(), Kind.VolumeNodeAffinityConflict);
        assertNull(f.suggestedZone());
        assertNull(f.command());
        assertTrue(f.message().contains("No other zone"), f.message());
    }

    @Test
    void inTreePvWithBetaLabel() {
        World w = stuckPod();
        w.pvs.set(3, inTreePv("pvc-web-3", "aws://us-east-1b/vol-0intree", Map.of("failure-domain.beta.kubernetes.io/zone", B)));
        Finding f = single(w.diagnose(), Kind.VolumeNodeAffinityConflict);
        assertEquals("vol-0intree", f.volumeId());
        assertEquals(B, f.volumeZone());
    }

    @Test
    void legacyCsiZoneKey() {
        World w = stuckPod();
        w.pvs.set(3, csiPv("pvc-web-3", "vol-0legacy", "topology.ebs.csi.aws.com/zone", B));
        assertEquals("vol-0legacy", single(w.diagnose(), Kind.VolumeNodeAffinityConflict).volumeId());
    }

    @Test
    void namespaceScopeLimitsPodFindings() {
        World w = stuckPod();
        assertEquals(List.of(), Diagnosis.of(w.snapshot("other")));
        assertEquals(1, Diagnosis.of(w.snapshot("default")).size());
    }

    @Test
    void immediateBindingStorageClasses() {
        World w = stuckPod();
        w.pods.removeIf(p -> p.getMetadata().getName().equals("batch"));
        w.classes.add(storageClass("gp2", "kubernetes.io/aws-ebs", "Immediate"));
        w.classes.add(storageClass("unset", "ebs.csi.aws.com", null));
        w.classes.add(storageClass("efs", "efs.csi.aws.com", "Immediate"));
        List<Finding> findings = w.diagnose();
        assertEquals(List.of("storageclass/gp2", "storageclass/unset"), findings.stream().map(Finding::object).toList());
        assertEquals("zonemover storageclass fix gp2", findings.get(0).command());
        assertTrue(findings.get(1).message().contains("unset"));
        w.nodes.removeIf(n -> !n.getMetadata().getName().startsWith("c"));
        assertEquals(List.of(), Diagnosis.of(w.snapshot(null)).stream()
                .filter(f -> f.kind() == Kind.ImmediateBindingStorageClass).toList(), "one zone: harmless");
    }

    @Test
    void imbalanceMovesTheSurplusToTheLeastLoadedZones() {
        World w = new World();
        w.nodes.add(node("b1", B, "8", "8Gi"));
        w.nodes.add(node("c1", C, "8", "8Gi"));
        w.nodes.add(node("d1", D, "4", "8Gi"));
        w.sets.add(statefulSet("default", "db", 3, "www", "500m"));
        w.replica("db", 0, B, "b1");
        w.replica("db", 1, B, "b1");
        w.replica("db", 2, B, "b1");
        List<Finding> findings = w.diagnose();
        assertEquals(2, findings.size(), findings.toString());
        assertEquals(List.of("www-db-2", "www-db-1"), findings.stream().map(Finding::claim).toList());
        assertEquals(List.of(C, D), findings.stream().map(Finding::suggestedZone).toList());
        assertEquals("zonemover migrate default/www-db-2 --to us-east-1c", findings.get(0).command());
        assertTrue(findings.get(0).message().contains("keeps 3 of 3 volumes in us-east-1b"), findings.get(0).message());
    }

    @Test
    void balancedStatefulSetIsFine() {
        World w = new World();
        w.nodes.add(node("b1", B, "8", "8Gi"));
        w.nodes.add(node("c1", C, "8", "8Gi"));
        w.nodes.add(node("d1", D, "8", "8Gi"));
        w.sets.add(statefulSet("default", "db", 4, "www", "500m"));
        w.replica("db", 0, B, "b1");
        w.replica("db", 1, B, "b1");
        w.replica("db", 2, C, "c1");
        w.replica("db", 3, D, "d1");
        assertEquals(List.of(), w.diagnose(), "2 of 4 in one zone is within ceil(4/3)");
    }

    @Test
    void attachFailures() {
        World w = stuckPod();
        w.pods.removeIf(p -> p.getMetadata().getName().equals("batch"));
        V1Pod web1 = w.pods.get(1);
        w.events.add(event(web1, "FailedAttachVolume", "Multi-Attach error for volume \"pvc-web-1\" Volume is already "
                + "exclusively attached to one node and can't be attached to another"));
        // web-2 runs on a node in b, but its volume is in d.
        w.pods.get(2).getSpec().setNodeName("b1");
        List<Finding> findings = w.diagnose().stream().filter(f -> f.kind() == Kind.AttachFailure).toList();
        assertEquals(2, findings.size(), findings.toString());
        assertEquals("www-web-1", findings.get(0).claim());
        assertTrue(findings.get(0).message().startsWith("Multi-Attach"));
        assertEquals("web-2", findings.get(1).pod());
        assertEquals(B, findings.get(1).suggestedZone());
        assertEquals("zonemover migrate default/www-web-2 --to us-east-1b", findings.get(1).command());
    }

    @Test
    void jsonHasTheContractFields() {
        Map<String, Object> json = single(stuckPod().diagnose(), Kind.VolumeNodeAffinityConflict).toJson();
        for (String key : List.of("kind", "namespace", "pod", "claim", "pv", "volumeId", "volumeZone", "suggestedZone",
                "message", "command")) {
            assertTrue(json.containsKey(key), key);
        }
        assertEquals("VolumeNodeAffinityConflict", json.get("kind"));
    }

    static Finding single(List<Finding> findings, Kind kind) {
        List<Finding> of = findings.stream().filter(f -> f.kind() == kind).toList();
        assertEquals(1, of.size(), findings.toString());
        return of.get(0);
    }
}

package io.zonemover.sim.kube;

import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1PersistentVolume;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaim;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;
import io.zonemover.sim.Scenarios;
import io.zonemover.sim.World;
import io.zonemover.sim.ec2.Ec2World;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The scenarios, read back through client-java the way zonemover reads a cluster. */
class ScenariosTest {

    static final String STUCK_132 = "0/6 nodes are available: 1 Insufficient cpu, 1 node(s) were unschedulable, "
            + "4 node(s) had volume node affinity conflict. preemption: 0/6 nodes are available: "
            + "1 No preemption victims found for incoming pod, 5 Preemption is not helpful for scheduling.";
    static final String STUCK_133 = "0/6 nodes are available: 1 Insufficient cpu, 1 node(s) were unschedulable, "
            + "4 node(s) didn't match PersistentVolume's node affinity. preemption: 0/6 nodes are available: "
            + "1 No preemption victims found for incoming pod, 5 Preemption is not helpful for scheduling.";

    @TempDir
    Path dir;

    @Test
    void stuckPodHasWeb3PendingWithTheSchedulersEventWhileTheOthersRunAndWrite() throws Exception {
        World world = Scenarios.create("stuck-pod", Map.of(), SimHarness.T0);
        try (SimHarness h = SimHarness.of(dir, world)) {
            List<V1Pod> pods = h.core.listNamespacedPod("default").labelSelector("app=nginx").execute().getItems();
            assertThat(KubeApiTest.names(pods)).containsExactly("web-0", "web-1", "web-2", "web-3");
            for (V1Pod p : pods) {
                if (p.getMetadata().getName().equals("web-3")) {
                    assertThat(p.getStatus().getPhase()).isEqualTo("Pending");
                    assertThat(p.getSpec().getNodeName()).isNull();
                    V1PodCondition c = p.getStatus().getConditions().stream()
                            .filter(x -> x.getType().equals("PodScheduled")).findFirst().orElseThrow();
                    assertThat(c.getStatus()).isEqualTo("False");
                    assertThat(c.getReason()).isEqualTo("Unschedulable");
                    assertThat(c.getMessage()).isEqualTo(STUCK_132);
                } else {
                    assertThat(p.getStatus().getPhase()).isEqualTo("Running");
                    assertThat(p.getStatus().getConditions()).anySatisfy(x -> {
                        assertThat(x.getType()).isEqualTo("Ready");
                        assertThat(x.getStatus()).isEqualTo("True");
                    });
                }
            }
            List<CoreV1Event> events = h.core.listNamespacedEvent("default").fieldSelector(
                    "involvedObject.kind=Pod,involvedObject.name=web-3,reason=FailedScheduling").execute().getItems();
            assertThat(events).hasSize(1);
            assertThat(events.get(0).getMessage()).isEqualTo(STUCK_132);
            assertThat(events.get(0).getType()).isEqualTo("Warning");
            assertThat(events.get(0).getSource().getComponent()).isEqualTo("default-scheduler");

            // web-3's volume: in-tree PV in us-east-1b; the others are CSI with both zone keys.
            String pv3 = h.core.readNamespacedPersistentVolumeClaim("www-web-3", "default").execute().getSpec()
                    .getVolumeName();
            V1PersistentVolume inTree = h.core.readPersistentVolume(pv3).execute();
            assertThat(inTree.getSpec().getAwsElasticBlockStore().getVolumeID()).matches("aws://us-east-1b/vol-.*");
            Set<String> keys = new HashSet<>();
            for (V1PersistentVolume pv : h.core.listPersistentVolume().execute().getItems()) {
                if (pv.getSpec().getCsi() != null) {
                    keys.add(pv.getSpec().getNodeAffinity().getRequired().getNodeSelectorTerms().get(0)
                            .getMatchExpressions().get(0).getKey());
                }
            }
            assertThat(keys).containsExactlyInAnyOrder("topology.kubernetes.io/zone", "topology.ebs.csi.aws.com/zone");

            // The running pods' volumes are being written; web-3's is detached.
            Map<String, Object> show = h.world(World::show);
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> volumes = (List<Map<String, Object>>) show.get("volumes");
            String vol3 = inTree.getSpec().getAwsElasticBlockStore().getVolumeID().replaceAll(".*/", "");
            for (Map<String, Object> v : volumes) {
                assertThat(((Number) v.get("writes")).longValue()).isPositive();
                assertThat(v.get("state")).isEqualTo(v.get("id").equals(vol3) ? "available" : "in-use");
            }
            // Zones with room for web-3: us-east-1c and us-east-1d have schedulable nodes with free cpu.
            assertThat(h.core.listNode().fieldSelector("spec.unschedulable=true").execute().getItems())
                    .extracting(n -> n.getMetadata().getLabels().get("topology.kubernetes.io/zone"))
                    .containsExactly("us-east-1b");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void twoClaimsHasDb3PendingWithBothItsVolumesInTheZoneWithoutRoom() throws Exception {
        World world = Scenarios.create("two-claims", Map.of(), SimHarness.T0);
        try (SimHarness h = SimHarness.of(dir, world)) {
            List<V1Pod> pods = h.core.listNamespacedPod("default").labelSelector("app=db").execute().getItems();
            assertThat(KubeApiTest.names(pods)).containsExactly("db-0", "db-1", "db-2", "db-3");
            Map<String, String> volumeZones = new java.util.HashMap<>();
            Set<String> db3Volumes = new HashSet<>();
            for (V1Pod p : pods) {
                String pod = p.getMetadata().getName();
                // Both claims bound, each to its own CSI PV, both in one zone.
                Set<String> zones = new HashSet<>();
                Set<String> pvNames = new HashSet<>();
                for (String template : List.of("data", "wal")) {
                    V1PersistentVolumeClaim claim = h.core.readNamespacedPersistentVolumeClaim(template + "-" + pod,
                            "default").execute();
                    assertThat(claim.getStatus().getPhase()).isEqualTo("Bound");
                    assertThat(claim.getSpec().getResources().getRequests().get("storage").toSuffixedString())
                            .isEqualTo(template.equals("data") ? "20Gi" : "5Gi");
                    V1PersistentVolume pv = h.core.readPersistentVolume(claim.getSpec().getVolumeName()).execute();
                    assertThat(pv.getSpec().getCsi().getDriver()).isEqualTo("ebs.csi.aws.com");
                    String zone = pv.getSpec().getNodeAffinity().getRequired().getNodeSelectorTerms().get(0)
                            .getMatchExpressions().get(0).getValues().get(0);
                    zones.add(zone);
                    pvNames.add(pv.getMetadata().getName());
                    volumeZones.put(pv.getSpec().getCsi().getVolumeHandle(), zone);
                    if (pod.equals("db-3")) {
                        db3Volumes.add(pv.getSpec().getCsi().getVolumeHandle());
                    }
                }
                assertThat(pvNames).hasSize(2);
                assertThat(zones).hasSize(1);
                if (pod.equals("db-3")) {
                    assertThat(zones).containsExactly("us-east-1b");
                    assertThat(p.getStatus().getPhase()).isEqualTo("Pending");
                    assertThat(p.getSpec().getNodeName()).isNull();
                    V1PodCondition c = p.getStatus().getConditions().stream()
                            .filter(x -> x.getType().equals("PodScheduled")).findFirst().orElseThrow();
                    assertThat(c.getStatus()).isEqualTo("False");
                    assertThat(c.getMessage()).isEqualTo(STUCK_132);
                } else {
                    assertThat(p.getStatus().getPhase()).isEqualTo("Running");
                    assertThat(p.getStatus().getConditions()).anySatisfy(x -> {
                        assertThat(x.getType()).isEqualTo("Ready");
                        assertThat(x.getStatus()).isEqualTo("True");
                    });
                    String nodeZone = h.core.readNode(p.getSpec().getNodeName()).execute().getMetadata().getLabels()
                            .get("topology.kubernetes.io/zone");
                    assertThat(zones).containsExactly(nodeZone);
                }
            }
            List<CoreV1Event> events = h.core.listNamespacedEvent("default").fieldSelector(
                    "involvedObject.kind=Pod,involvedObject.name=db-3,reason=FailedScheduling").execute().getItems();
            assertThat(events).hasSize(1);
            assertThat(events.get(0).getMessage()).contains("volume node affinity conflict");

            // Eight volumes, each in its pod's zone; the running pods write to both of theirs, db-3's are idle.
            List<Map<String, Object>> volumes = (List<Map<String, Object>>) h.world(World::show).get("volumes");
            assertThat(volumes).hasSize(8);
            for (Map<String, Object> v : volumes) {
                assertThat(v.get("zone")).isEqualTo(volumeZones.get((String) v.get("id")));
                boolean idle = db3Volumes.contains((String) v.get("id"));
                assertThat(v.get("state")).isEqualTo(idle ? "available" : "in-use");
                assertThat(v.get("writing")).isEqualTo(!idle);
                if (!idle) {
                    assertThat(((Number) v.get("writes")).longValue()).isPositive();
                }
            }
        }
    }

    @Test
    void newerKubernetesUsesTheNewWording() {
        World world = Scenarios.create("stuck-pod", Map.of("k8sVersion", "1.33"), SimHarness.T0);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> events = (List<Map<String, Object>>) world.show().get("events");
        assertThat(events).filteredOn(e -> "FailedScheduling".equals(e.get("reason")))
                .extracting(e -> e.get("message")).containsExactly(STUCK_133);
    }

    @Test
    void unknownScenarioNamesTheKnownOnes() {
        assertThatThrownBy(() -> Scenarios.create("nope", Map.of(), SimHarness.T0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown scenario nope; known: stuck-pod, unbalanced, healthy, large, two-claims, fleet, auto-rescue");
    }

    @Test
    @SuppressWarnings("unchecked")
    void healthyAndUnbalanced() {
        Map<String, Object> healthy = Scenarios.create("healthy", Map.of(), SimHarness.T0).show();
        List<Map<String, Object>> pods = (List<Map<String, Object>>) healthy.get("pods");
        assertThat(pods).allSatisfy(p -> assertThat(p.get("phase")).isEqualTo("Running"));
        assertThat(pods).extracting(p -> p.get("zone")).containsExactlyInAnyOrder("us-east-1b", "us-east-1c",
                "us-east-1d");

        Map<String, Object> unbalanced = Scenarios.create("unbalanced", Map.of(), SimHarness.T0).show();
        pods = (List<Map<String, Object>>) unbalanced.get("pods");
        assertThat(pods).hasSize(9).allSatisfy(p -> assertThat(p.get("ready")).isEqualTo(true));
        List<Map<String, Object>> pvs = (List<Map<String, Object>>) unbalanced.get("pvs");
        assertThat(pvs).filteredOn(v -> "us-east-1b".equals(v.get("zone"))).hasSize(7);
    }

    @Test
    void faultsKeepAPodUnready() {
        World world = Scenarios.create("healthy", Map.of(), SimHarness.T0);
        world.kube().setFaults(KubeFaults.NONE.withNeverReadyPod("default", "web-1"));
        world.settle();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> pods = (List<Map<String, Object>>) world.show().get("pods");
        assertThat(pods).filteredOn(p -> "web-1".equals(p.get("name"))).extracting(p -> p.get("ready"))
                .containsExactly(false);
    }

    @Test
    void twoCopiesOfAWorldComputeTheSameFuture() {
        World world = Scenarios.create("stuck-pod", Map.of(), SimHarness.T0);
        String ec2 = world.ec2().toJson();
        String kube = world.kube().toJson();
        assertThat(kube).doesNotContain("\n");
        World a = new World(Ec2World.fromJson(ec2), KubeWorld.fromJson(kube), world.now());
        World b = new World(Ec2World.fromJson(ec2), KubeWorld.fromJson(kube), world.now());
        assertThat(a.kube().toJson()).isEqualTo(kube);
        // b is looked at in between; a is not.
        b.advanceTo(world.now() + 7_000);
        b.show();
        b.advanceTo(world.now() + 400_000);
        a.advanceTo(world.now() + 400_000);
        assertThat(a.kube().toJson()).isEqualTo(b.kube().toJson());
        assertThat(a.ec2().toJson()).isEqualTo(b.ec2().toJson());
    }

    @Test
    void largeWorldIsConsistentAndListsEverything() throws Exception {
        // How fast it lists is the bench's to show (diagnoseLargeSeconds), not a timed test on a shared machine.
        World world = Scenarios.create("large", Map.of("pods", "2000", "claims", "1000", "nodes", "60"),
                SimHarness.T0);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> pods = (List<Map<String, Object>>) world.show().get("pods");
        assertThat(pods).hasSize(2003);
        assertThat(pods).filteredOn(p -> !"Running".equals(p.get("phase"))).extracting(p -> p.get("name"))
                .containsExactlyInAnyOrder("legacy-db-0", "legacy-db-1", "legacy-db-2");
        try (SimHarness h = SimHarness.of(dir, world)) {
            h.core.listPodForAllNamespaces().execute();
            assertThat(h.core.listPodForAllNamespaces().execute().getItems()).hasSize(2003);
            assertThat(h.core.listPersistentVolumeClaimForAllNamespaces().execute().getItems()).hasSize(1003);
            List<CoreV1Event> ev = h.core.listNamespacedEvent("legacy").fieldSelector("reason=FailedScheduling")
                    .execute().getItems();
            assertThat(ev).hasSize(3).allSatisfy(e -> assertThat(e.getMessage()).startsWith(
                    "0/60 nodes are available: 60 node(s) had volume node affinity conflict."));
        }
    }
}

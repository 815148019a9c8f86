package io.zonemover.sim.kube;

import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;
import io.kubernetes.client.openapi.models.V1Taint;
import io.zonemover.sim.Scenarios;
import io.zonemover.sim.World;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Snapshot;
import software.amazon.awssdk.services.ec2.model.SnapshotState;
import software.amazon.awssdk.services.ec2.model.VolumeStatusItem;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A zone outage and non-graceful node shutdown in the simulated world, seen through client-java and the AWS SDK's
 * Ec2Client over HTTP: what nodes, pods, attachments, instances, volumes and snapshots look like, and that the
 * world's history never shows a pod running in two places at once.
 */
class ZoneOutageTest {

    private static final String DOWN = "us-east-1b";

    @TempDir
    Path dir;

    private SimHarness h;
    private Ec2Client ec2;

    @BeforeAll
    static void noDelay() {
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    @BeforeEach
    void start() {
        World world = Scenarios.create("healthy", Map.of(), SimHarness.T0);
        h = SimHarness.of(dir, world);
        ec2 = Ec2Client.builder()
                .region(Region.US_EAST_1)
                .endpointOverride(h.servers.ec2Uri())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build();
    }

    @AfterEach
    void stop() {
        ec2.close();
        h.close();
    }

    private void zone(String zone, boolean down) {
        h.store.write(w -> {
            w.setZoneDown(zone, down);
            return null;
        });
    }

    private <T> T world(Function<World, T> fn) {
        return h.world(fn);
    }

    private V1Pod podIn(String zone) throws Exception {
        for (V1Pod p : h.core.listNamespacedPod("default").execute().getItems()) {
            V1Node n = h.core.readNode(p.getSpec().getNodeName()).execute();
            if (zone.equals(n.getMetadata().getLabels().get(KubeWorld.ZONE))) {
                return p;
            }
        }
        throw new AssertionError("no pod in " + zone);
    }

    private V1Pod pod(String name) throws Exception {
        return h.core.listNamespacedPod("default").fieldSelector("metadata.name=" + name).execute().getItems()
                .stream().findFirst().orElse(null);
    }

    private String volumeOf(V1Pod pod) throws Exception {
        String claim = pod.getSpec().getVolumes().stream().filter(v -> v.getPersistentVolumeClaim() != null)
                .findFirst().orElseThrow().getPersistentVolumeClaim().getClaimName();
        String pv = h.core.readNamespacedPersistentVolumeClaim(claim, "default").execute().getSpec().getVolumeName();
        return h.core.readPersistentVolume(pv).execute().getSpec().getCsi().getVolumeHandle();
    }

    private static String instanceOf(V1Node node) {
        String pid = node.getSpec().getProviderID();
        return pid.substring(pid.lastIndexOf('/') + 1);
    }

    private static String condition(List<V1PodCondition> conds, String type) {
        return conds.stream().filter(c -> type.equals(c.getType())).map(V1PodCondition::getStatus).findFirst()
                .orElse(null);
    }

    private long writes(String volumeId) {
        return world(w -> w.ec2().writes(volumeId, w.now()));
    }

    private String instanceState(String id) {
        return ec2.describeInstances(r -> r.instanceIds(id)).reservations().get(0).instances().get(0).state()
                .nameAsString();
    }

    private Map<String, String> volumeStatus(List<String> ids) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        ec2.describeVolumeStatusPaginator(r -> r.volumeIds(ids).maxResults(5)).volumeStatuses()
                .forEach(v -> out.put(v.volumeId(), v.volumeStatus().statusAsString()));
        return out;
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> history() {
        return (List<Map<String, Object>>) world(w -> w.show().get("history"));
    }

    /** No two intervals of pods with the same namespace/name overlap in time. */
    private void assertNeverTwoAtOnce() {
        List<Map<String, Object>> hist = history();
        for (int i = 0; i < hist.size(); i++) {
            for (int j = i + 1; j < hist.size(); j++) {
                Map<String, Object> a = hist.get(i);
                Map<String, Object> b = hist.get(j);
                if (!a.get("namespace").equals(b.get("namespace")) || !a.get("name").equals(b.get("name"))) {
                    continue;
                }
                Instant aTo = a.get("to") == null ? Instant.MAX : Instant.parse((String) a.get("to"));
                Instant bTo = b.get("to") == null ? Instant.MAX : Instant.parse((String) b.get("to"));
                boolean overlap = Instant.parse((String) a.get("from")).isBefore(bTo)
                        && Instant.parse((String) b.get("from")).isBefore(aTo);
                assertThat(overlap).as(a + " and " + b).isFalse();
            }
        }
    }

    @Test
    void aZoneDownStopsItsNodesPodsInstancesAndVolumesAndOtherZonesWorkOn() throws Exception {
        V1Pod victim = podIn(DOWN);
        V1Pod healthy = podIn("us-east-1c");
        String name = victim.getMetadata().getName();
        String uid = victim.getMetadata().getUid();
        V1Node node = h.core.readNode(victim.getSpec().getNodeName()).execute();
        String volume = volumeOf(victim);
        String otherVolume = volumeOf(healthy);
        String spare = ec2.createVolume(r -> r.availabilityZone(DOWN).size(1).volumeType("gp3")).volumeId();
        h.advance(10_000);
        long downAt = world(World::now);

        zone(DOWN, true);
        h.advance(10_000);
        // Heartbeats stopped, but the node monitor grace period (50 s on 1.32) has not run out yet.
        assertThat(condition(conditionsOf(node), "Ready")).isEqualTo("True");
        assertThat(instanceState(instanceOf(node))).isEqualTo("stopped");
        assertThat(instanceState(instanceOf(h.core.readNode(healthy.getSpec().getNodeName()).execute())))
                .isEqualTo("running");
        assertThat(volumeStatus(List.of(volume, otherVolume))).containsEntry(volume, "impaired")
                .containsEntry(otherVolume, "ok");
        long frozen = writes(volume);
        long otherBefore = writes(otherVolume);

        h.advance(50_000);
        V1Node lost = h.core.readNode(node.getMetadata().getName()).execute();
        var ready = lost.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType())).findFirst()
                .orElseThrow();
        assertThat(ready.getStatus()).isEqualTo("Unknown");
        assertThat(ready.getReason()).isEqualTo("NodeStatusUnknown");
        assertThat(lost.getSpec().getTaints()).extracting(V1Taint::getKey, V1Taint::getEffect)
                .contains(org.assertj.core.groups.Tuple.tuple("node.kubernetes.io/unreachable", "NoSchedule"),
                        org.assertj.core.groups.Tuple.tuple("node.kubernetes.io/unreachable", "NoExecute"));
        V1Pod notReady = pod(name);
        assertThat(condition(notReady.getStatus().getConditions(), "Ready")).isEqualTo("False");
        assertThat(notReady.getMetadata().getDeletionTimestamp()).isNull();

        // The default 300 s toleration of unreachable:NoExecute runs out: marked for deletion, and stuck there.
        h.advance(300_000);
        V1Pod marked = pod(name);
        assertThat(marked.getMetadata().getUid()).isEqualTo(uid);
        assertThat(marked.getMetadata().getDeletionTimestamp()).isNotNull();
        assertThat(marked.getStatus().getPhase()).isEqualTo("Running");
        assertThat(condition(marked.getStatus().getConditions(), "Ready")).isEqualTo("False");
        h.advance(20 * 60_000);
        assertThat(pod(name).getMetadata().getUid()).as("never goes: its kubelet is unreachable").isEqualTo(uid);
        assertThat(h.core.listNamespacedPod("default").execute().getItems()).hasSize(3);
        assertThat(writes(volume)).as("no writes in a zone that is down").isEqualTo(frozen);
        assertThat(writes(otherVolume)).isGreaterThan(otherBefore);

        // EC2: snapshots of its volumes stall and then fail; attach and detach fail; other zones work.
        String stalled = ec2.createSnapshot(r -> r.volumeId(volume)).snapshotId();
        String fine = ec2.createSnapshot(r -> r.volumeId(otherVolume)).snapshotId();
        assertThatThrownBy(() -> ec2.detachVolume(r -> r.volumeId(volume)))
                .isInstanceOfSatisfying(Ec2Exception.class,
                        e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("IncorrectState"));
        assertThatThrownBy(() -> ec2.attachVolume(r -> r.volumeId(spare).instanceId(instanceOf(node))
                .device("/dev/xvdf")))
                .isInstanceOfSatisfying(Ec2Exception.class,
                        e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("IncorrectState"));
        assertThatThrownBy(() -> ec2.createVolume(r -> r.availabilityZone(DOWN).size(1).volumeType("gp3")))
                .isInstanceOf(Ec2Exception.class);
        String elsewhere = ec2.createVolume(r -> r.availabilityZone("us-east-1c").size(1).volumeType("gp3"))
                .volumeId();
        assertThat(elsewhere).startsWith("vol-");
        h.advance(30 * 60_000);
        assertThat(snapshot(stalled).state()).isEqualTo(SnapshotState.PENDING);
        assertThat(snapshot(fine).state()).isEqualTo(SnapshotState.COMPLETED);
        h.advance(31 * 60_000);
        Snapshot failed = snapshot(stalled);
        assertThat(failed.state()).isEqualTo(SnapshotState.ERROR);
        assertThat(failed.stateMessage()).contains(volume);

        assertCloudClockIsTheWorlds();

        // The pod stopped running when the zone went down.
        Map<String, Object> interval = history().stream().filter(i -> uid.equals(i.get("uid"))).findFirst()
                .orElseThrow();
        assertThat(interval.get("zone")).isEqualTo(DOWN);
        assertThat(interval.get("to")).isEqualTo(Instant.ofEpochMilli(downAt).toString());

        // Back up: the node is Ready, the pod marked for deletion goes and comes back new, the volume is written.
        zone(DOWN, false);
        h.advance(60_000);
        V1Node back = h.core.readNode(node.getMetadata().getName()).execute();
        assertThat(condition(conditionsOf(back), "Ready")).isEqualTo("True");
        assertThat(back.getSpec().getTaints() == null ? List.<V1Taint>of() : back.getSpec().getTaints())
                .extracting(V1Taint::getKey).doesNotContain("node.kubernetes.io/unreachable");
        assertThat(instanceState(instanceOf(node))).isEqualTo("running");
        assertThat(volumeStatus(List.of(volume))).containsEntry(volume, "ok");
        V1Pod reborn = pod(name);
        assertThat(reborn.getMetadata().getUid()).isNotEqualTo(uid);
        assertThat(reborn.getStatus().getPhase()).isEqualTo("Running");
        assertThat(writes(volume)).as("the old volume kept its data and is written again").isGreaterThan(frozen);
        assertNeverTwoAtOnce();
    }

    private List<V1PodCondition> conditionsOf(V1Node node) throws Exception {
        List<V1PodCondition> out = new ArrayList<>();
        h.core.readNode(node.getMetadata().getName()).execute().getStatus().getConditions()
                .forEach(c -> out.add(new V1PodCondition().type(c.getType()).status(c.getStatus())));
        return out;
    }

    /** The Date of EC2's answers is the world's time (a tool ages snapshots by it). */
    private void assertCloudClockIsTheWorlds() {
        String date = ec2.describeAvailabilityZones().sdkHttpResponse().firstMatchingHeader("Date").orElseThrow();
        long cloud = ZonedDateTime.parse(date, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
        assertThat(cloud / 1000).isEqualTo(world(World::now) / 1000);
    }

    @Test
    void theBlockStoreAdapterReadsTheOutageAndTheCloudsClock() throws Exception {
        var blocks = new io.zonemover.aws.Ec2BlockStore(ec2);
        V1Pod victim = podIn(DOWN);
        String volume = volumeOf(victim);
        String instance = instanceOf(h.core.readNode(victim.getSpec().getNodeName()).execute());
        String first = ec2.createSnapshot(r -> r.volumeId(volume)).snapshotId();
        h.advance(5 * 60_000);
        zone(DOWN, true);
        String second = ec2.createSnapshot(r -> r.volumeId(volume)).snapshotId();
        h.advance(60_000);
        assertThat(blocks.instanceState(instance)).contains("stopped");
        assertThat(blocks.instanceState("i-0123456789abcdef0")).isEmpty();
        assertThat(blocks.volumeStatus(List.of(volume))).containsEntry(volume, "impaired");
        var snaps = blocks.snapshotsOfVolumes(List.of(volume));
        assertThat(snaps).extracting(io.zonemover.domain.EbsSnapshot::id).containsExactly(second, first);
        assertThat(blocks.now().toEpochMilli() / 1000).isEqualTo(world(World::now) / 1000);
        Instant taken = snaps.get(1).startTime();
        assertThat(java.time.Duration.between(taken, blocks.now()).toSeconds()).isEqualTo(360);
        blocks.deleteSnapshot(second);
        blocks.deleteSnapshot(second);
        assertThat(blocks.snapshotsOfVolumes(List.of(volume))).hasSize(1);
    }

    @Test
    void theDateOfEc2AnswersIsTheWorldsTime() {
        h.advance(3 * 86_400_000L);
        assertCloudClockIsTheWorlds();
    }

    private Snapshot snapshot(String id) {
        return ec2.describeSnapshots(r -> r.snapshotIds(id)).snapshots().get(0);
    }

    @Test
    void aPendingSnapshotResumesWhenTheZoneIsBackInTime() throws Exception {
        String volume = volumeOf(podIn(DOWN));
        zone(DOWN, true);
        String snap = ec2.createSnapshot(r -> r.volumeId(volume)).snapshotId();
        h.advance(20 * 60_000);
        assertThat(snapshot(snap).state()).isEqualTo(SnapshotState.PENDING);
        zone(DOWN, false);
        h.advance(10 * 60_000);
        assertThat(snapshot(snap).state()).isEqualTo(SnapshotState.COMPLETED);
    }

    @Test
    void outOfServiceTaintForceDeletesPodsAndDetachesWithoutWaitingForEc2() throws Exception {
        V1Pod victim = podIn(DOWN);
        String name = victim.getMetadata().getName();
        String uid = victim.getMetadata().getUid();
        String nodeName = victim.getSpec().getNodeName();
        String volume = volumeOf(victim);
        zone(DOWN, true);
        h.advance(60_000);
        assertThat(attachmentsOn(nodeName)).isNotEmpty();

        V1Node node = h.core.readNode(nodeName).execute();
        node.getSpec().addTaintsItem(new V1Taint().key("node.kubernetes.io/out-of-service").value("nodeshutdown")
                .effect("NoExecute"));
        h.core.replaceNode(nodeName, node).execute();
        h.advance(1_000);

        V1Pod now = pod(name);
        assertThat(now == null || !uid.equals(now.getMetadata().getUid())).as("force-deleted").isTrue();
        assertThat(attachmentsOn(nodeName)).as("force-detached").isEmpty();
        var v = ec2.describeVolumes(r -> r.volumeIds(volume)).volumes().get(0);
        assertThat(v.stateAsString()).as("EC2 never saw a detach").isEqualTo("in-use");
        // The StatefulSet recreates it; its claim holds it to the zone that is down, so it waits.
        h.advance(60_000);
        V1Pod replacement = pod(name);
        assertThat(replacement).isNotNull();
        assertThat(replacement.getMetadata().getUid()).isNotEqualTo(uid);
        assertThat(replacement.getStatus().getPhase()).isEqualTo("Pending");

        // Zone back, taint removed by the operator: the new pod runs there; the old one never comes back.
        zone(DOWN, false);
        node = h.core.readNode(nodeName).execute();
        node.getSpec().setTaints(node.getSpec().getTaints().stream()
                .filter(t -> !t.getKey().equals("node.kubernetes.io/out-of-service")).toList());
        h.core.replaceNode(nodeName, node).execute();
        h.advance(3 * 60_000);
        List<V1Pod> named = h.core.listNamespacedPod("default").execute().getItems().stream()
                .filter(p -> p.getMetadata().getName().equals(name)).toList();
        assertThat(named).hasSize(1);
        assertThat(named.get(0).getMetadata().getUid()).isNotEqualTo(uid);
        assertThat(named.get(0).getStatus().getPhase()).isEqualTo("Running");
        assertNeverTwoAtOnce();
    }

    private List<String> attachmentsOn(String nodeName) throws Exception {
        return h.storage.listVolumeAttachment().execute().getItems().stream()
                .filter(va -> nodeName.equals(va.getSpec().getNodeName()))
                .map(va -> va.getMetadata().getName()).toList();
    }

    @Test
    void theCallsOfTheRescueAnswerAsEc2Does() throws Exception {
        String volume = volumeOf(podIn(DOWN));
        String otherVolume = volumeOf(podIn("us-east-1c"));
        List<String> snaps = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            snaps.add(ec2.createSnapshot(r -> r.volumeId(volume)).snapshotId());
            h.advance(60_000);
        }
        ec2.createSnapshot(r -> r.volumeId(otherVolume));
        // DescribeSnapshots by volume-id, in pages of 5.
        List<String> found = ec2.describeSnapshotsPaginator(r -> r.maxResults(5)
                        .filters(Filter.builder().name("volume-id").values(volume).build()))
                .snapshots().stream().map(Snapshot::snapshotId).toList();
        assertThat(found).containsExactlyInAnyOrderElementsOf(snaps);
        // DeleteSnapshot, then it is gone.
        ec2.deleteSnapshot(r -> r.snapshotId(snaps.get(0)));
        assertThatThrownBy(() -> ec2.deleteSnapshot(r -> r.snapshotId(snaps.get(0))))
                .isInstanceOfSatisfying(Ec2Exception.class,
                        e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidSnapshot.NotFound"));
        // DescribeInstances: unknown id, and the whole fleet with zones.
        assertThatThrownBy(() -> ec2.describeInstances(r -> r.instanceIds("i-0123456789abcdef0")))
                .isInstanceOfSatisfying(Ec2Exception.class,
                        e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidInstanceID.NotFound"));
        var all = ec2.describeInstances().reservations().stream().flatMap(r -> r.instances().stream()).toList();
        assertThat(all).hasSize(6).allSatisfy(i -> {
            assertThat(i.state().nameAsString()).isEqualTo("running");
            assertThat(i.placement().availabilityZone()).startsWith("us-east-1");
        });
        assertThat(all.stream().filter(i -> !i.blockDeviceMappings().isEmpty())).hasSize(3);
        // DescribeVolumeStatus: every volume, in pages, and an unknown one refused.
        List<VolumeStatusItem> statuses = ec2.describeVolumeStatusPaginator(r -> r.maxResults(5)).volumeStatuses()
                .stream().toList();
        assertThat(statuses).extracting(s -> s.volumeStatus().statusAsString()).containsOnly("ok");
        assertThat(statuses.get(0).volumeStatus().details()).extracting(d -> d.nameAsString())
                .contains("io-enabled");
        assertThat(statuses).extracting(VolumeStatusItem::availabilityZone).allMatch(Objects::nonNull);
        assertThatThrownBy(() -> ec2.describeVolumeStatus(r -> r.volumeIds("vol-0123456789abcdef0")))
                .isInstanceOfSatisfying(Ec2Exception.class,
                        e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidVolume.NotFound"));
        zone(DOWN, true);
        assertThat(ec2.describeInstances(r -> r.filters(Filter.builder().name("instance-state-name")
                .values("stopped").build())).reservations()).hasSize(2);
        assertThat(ec2.describeVolumeStatus(r -> r.filters(Filter.builder().name("volume-status.status")
                .values("impaired").build())).volumeStatuses()).extracting(VolumeStatusItem::volumeId)
                .containsExactly(volume);
    }
}

package io.zonemover.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.zonemover.sim.ec2.Ec2World;
import io.zonemover.sim.kube.controller.Kubelet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a move costs, read from the world's own counts and history: at most 15 EC2 calls per moved volume with no
 * throttling surfacing (issues 9 and 12), and a downtime made of the work the world models, not of the tool's
 * sleeping between looks.
 */
class LeanMoveTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int EC2_CALLS_PER_VOLUME = 15;

    @TempDir
    Path dir;

    @Test
    void theStuckPodMovesWithAtMostFifteenEc2CallsAndFewLooks() throws Exception {
        SimWorlds.create(dir, "stuck-pod");
        JsonNode result = migrate(dir, "default/www-web-3", "auto");
        Map<String, Object> calls = apiCalls(dir);
        Map<String, Number> ec2 = ec2(calls);
        assertThat(total(ec2)).as("EC2 calls of a one-volume move: %s", ec2).isLessThanOrEqualTo(EC2_CALLS_PER_VOLUME);
        assertThat(((Number) calls.get("ec2Throttled")).intValue()).isZero();
        // Two looks at each snapshot (one to learn its pace, one when it is due), few at the volumes.
        assertThat(ec2.getOrDefault("DescribeSnapshots", 0).intValue()).isLessThanOrEqualTo(4);
        assertThat(ec2.getOrDefault("DescribeVolumes", 0).intValue()).isLessThanOrEqualTo(5);
        assertThat(ec2.getOrDefault("DescribeAvailabilityZones", 0).intValue()).isLessThanOrEqualTo(1);
        assertThat(result.get("downtimeSeconds").asDouble()).isPositive();
    }

    @Test
    void aTwoClaimPodsVolumesShareTheirLooks() throws Exception {
        SimWorlds.create(dir, "two-claims");
        JsonNode result = migrate(dir, "default/wal-db-3", "auto");
        assertThat(result.get("claims")).hasSize(2);
        Map<String, Number> ec2 = ec2(apiCalls(dir));
        assertThat(total(ec2)).as("EC2 calls of a two-volume move: %s", ec2).isLessThanOrEqualTo(2 * 10);
        assertThat(ec2.get("CreateSnapshot").intValue()).isEqualTo(4);
        assertThat(ec2.get("CreateVolume").intValue()).isEqualTo(2);
    }

    /**
     * A running pod's downtime, from the world's history: from the instant its old run ended to the instant its
     * new one began, against what the world's model says the work takes (the final incremental snapshot, which
     * starts while the old volume detaches, the new volume, attach, container start). At time scale 30 a poll
     * interval (250 ms) is 7.5 world seconds: sleeping one interval per wait would add a minute or more; the tool's own time must stay under 2.5 s.
     */
    @Test
    void aRunningPodIsDownForTheWorkNotForThePolling() throws Exception {
        double scale = 30;
        SimWorlds.create(dir, "healthy", scale);
        JsonNode result = migrate(dir, "default/www-web-0", "us-east-1c");
        SimWorlds.View view = SimWorlds.View.of(dir);
        List<Map<String, Object>> runs = view.list("history").stream()
                .filter(r -> "web-0".equals(r.get("name")))
                .sorted(Comparator.comparing(r -> Instant.parse((String) r.get("from")))).toList();
        assertThat(runs).hasSizeGreaterThanOrEqualTo(2);
        long down = Instant.parse((String) runs.get(runs.size() - 1).get("from")).toEpochMilli()
                - Instant.parse((String) runs.get(runs.size() - 2).get("to")).toEpochMilli();

        Map<String, Object> restored = view.volume(result.get("newVolumeId").asText());
        Map<String, Object> finalSnapshot = view.snapshot((String) restored.get("snapshotId"));
        long changedSincePre = view.list("snapshots").stream()
                .filter(s -> finalSnapshot.get("volumeId").equals(s.get("volumeId"))
                        && !finalSnapshot.get("id").equals(s.get("id")))
                .mapToLong(s -> ((Number) finalSnapshot.get("writes")).longValue() - ((Number) s.get("writes")).longValue())
                .min().orElseThrow();
        int size = ((Number) restored.get("sizeGiB")).intValue();
        // The detach is not in it: the final snapshot starts once the volume is unmounted and detaching.
        long work = Ec2World.SNAPSHOT_BASE_MS + changedSincePre * Ec2World.MIB_PER_WRITE * 1000 / Ec2World.SNAPSHOT_MIB_PER_SEC
                + Math.min(Ec2World.CREATE_FROM_SNAPSHOT_MAX_MS,
                        Ec2World.CREATE_FROM_SNAPSHOT_BASE_MS + Ec2World.CREATE_FROM_SNAPSHOT_PER_GIB_MS * size)
                + Ec2World.ATTACH_MS + Kubelet.CONTAINER_START_MS;
        assertThat(down).as("world downtime (ms) against the modelled work of %d ms", work)
                .isBetween(work, work + (long) (2_500 * scale));
    }

    private static JsonNode migrate(Path world, String claim, String to) throws Exception {
        SimWorlds.Run run = SimWorlds.run("--sim", world.toString(), "migrate", claim, "--to", to, "--yes", "-o",
                "json");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.err()).doesNotContain("RequestLimitExceeded");
        return JSON.readTree(run.out());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> apiCalls(Path world) {
        Object calls = SimWorlds.View.of(world).raw().get("apiCalls");
        assertThat(calls).as("apiCalls in sim show").isNotNull();
        return (Map<String, Object>) calls;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Number> ec2(Map<String, Object> calls) {
        return (Map<String, Number>) calls.get("ec2");
    }

    private static int total(Map<String, Number> counts) {
        return counts.values().stream().mapToInt(Number::intValue).sum();
    }
}

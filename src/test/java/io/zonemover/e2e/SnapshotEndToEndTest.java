package io.zonemover.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.zonemover.domain.Tags;
import io.zonemover.sim.WorldStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * `zonemover snapshot` against the simulated world, through the real client-java and Ec2Client: repeated runs
 * with an hour of world time between them keep at most two protective snapshots of every volume (the new one counted)
 * (plus the one each run just took, still pending), delete the older ones, and touch nothing else.
 */
class SnapshotEndToEndTest {

    private static final long HOUR = 3_600_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void repeatedRunsKeepTheNewestTwoOnEveryVolumeAndDeleteOnlyTheirOwn() throws Exception {
        // World time at wall pace: a snapshot takes at least 30 s of it, so the one a run takes is still
        // pending when the run ends; the hour between runs, advanced by hand, completes it.
        WorldStore store = SimWorlds.create(dir, "two-claims", 1.0);
        String world = dir.toString();
        SimWorlds.View start = view();
        Set<String> othersSnapshots = start.list("snapshots").stream().map(s -> (String) s.get("id"))
                .collect(Collectors.toSet());
        List<String> claims = List.of("data-db-0", "wal-db-0", "data-db-1", "wal-db-1", "data-db-2", "wal-db-2",
                "data-db-3", "wal-db-3");
        Map<String, String> volumeOfClaim = new LinkedHashMap<>();
        claims.forEach(c -> volumeOfClaim.put(c, start.claimVolume(c)));

        SimWorlds.Run nothing = SimWorlds.run("--sim", world, "snapshot", "-A", "-l", "app=nothing", "--keep", "2",
                "--yes");
        assertThat(nothing.exit()).as(nothing.err()).isZero();
        assertThat(nothing.out()).contains("0 StatefulSet(s) matching app=nothing", "0 taken");

        SimWorlds.Run dryRun = SimWorlds.run("--sim", world, "snapshot", "-n", "default", "-l", "app=db", "--dry-run");
        assertThat(dryRun.exit()).as(dryRun.err()).isZero();
        assertThat(dryRun.out()).contains("1 StatefulSet(s) matching app=db in namespace default, 8 claim(s)",
                "Dry run: nothing was changed.");
        assertThat(view().list("snapshots")).hasSize(othersSnapshots.size());

        Map<String, List<String>> taken = new LinkedHashMap<>();
        java.util.Set<String> allDeleted = new java.util.HashSet<>();
        for (int run = 1; run <= 4; run++) {
            SimWorlds.Run r = SimWorlds.run("--sim", world, "snapshot", "-A", "--keep", "2", "--yes", "-o", "json");
            assertThat(r.exit()).as("run %d: %s", run, r.err()).isZero();
            JsonNode report = JSON.readTree(r.out());
            assertThat(report.get("failed").asBoolean()).isFalse();
            Map<String, JsonNode> byClaim = new LinkedHashMap<>();
            report.get("volumes").forEach(v -> byClaim.put(v.get("claim").asText(), v));
            assertThat(byClaim.keySet()).containsExactlyInAnyOrderElementsOf(
                    claims.stream().map(c -> "default/" + c).toList());

            SimWorlds.View view = view();
            for (String claim : claims) {
                String volume = volumeOfClaim.get(claim);
                JsonNode outcome = byClaim.get("default/" + claim);
                assertThat(outcome.get("status").asText()).as("run %d %s: %s", run, claim, outcome).isEqualTo("taken");
                assertThat(outcome.get("volumeId").asText()).isEqualTo(volume);
                List<String> earlier = new ArrayList<>(taken.getOrDefault(volume, List.of()));
                String newest = outcome.get("snapshotId").asText();
                taken.computeIfAbsent(volume, v -> new ArrayList<>()).add(newest);

                List<Map<String, Object>> ours = view.list("snapshots").stream()
                        .filter(s -> volume.equals(s.get("volumeId")))
                        .filter(s -> "true".equals(((Map<?, ?>) s.get("tags")).get(Tags.PROTECT))).toList();
                List<String> completed = ours.stream().filter(s -> "completed".equals(s.get("state")))
                        .map(s -> (String) s.get("id")).toList();
                assertThat(completed).as("run %d %s: the newest one before this run was kept", run, claim)
                        .containsExactlyInAnyOrderElementsOf(earlier.subList(Math.max(0, earlier.size() - 1),
                                earlier.size()));
                assertThat(ours).as("run %d %s: never more than 2 protective snapshots, the new one counted", run, claim)
                        .hasSizeLessThanOrEqualTo(2)
                        .hasSize(completed.size() + 1)
                        .anySatisfy(s -> {
                            assertThat(s.get("id")).isEqualTo(newest);
                            assertThat(s.get("state")).isEqualTo("pending");
                            @SuppressWarnings("unchecked")
                            Map<String, Object> tags = (Map<String, Object>) s.get("tags");
                            assertThat(tags).containsEntry(Tags.CLAIM, "default/" + claim)
                                    .containsEntry(Tags.SOURCE_VOLUME, volume).containsKey(Tags.TAKEN_AT);
                        });
                List<String> deleted = new ArrayList<>();
                outcome.get("deleted").forEach(d -> deleted.add(d.asText()));
                assertThat(deleted).as("run %d %s: all but the newest, to make room for the new one", run, claim)
                        .containsExactlyInAnyOrderElementsOf(earlier.size() > 1
                                ? earlier.subList(0, earlier.size() - 1).stream().filter(id -> !allDeleted.contains(id))
                                .toList() : List.of());
                allDeleted.addAll(deleted);
            }
            assertThat(view.list("snapshots").stream().map(s -> (String) s.get("id")).toList())
                    .as("snapshots zonemover did not take are never deleted").containsAll(othersSnapshots);

            whenUnlocked(() -> store.write(w -> {
                w.advanceTo(w.now() + HOUR);
                return null;
            }));
        }
        assertThat(taken.values()).allSatisfy(ids -> assertThat(ids).hasSize(4).doesNotHaveDuplicates());
    }

    private SimWorlds.View view() {
        return whenUnlocked(() -> SimWorlds.View.of(dir));
    }

    /**
     * The in-process run's world servers stop without waiting for their last handler to let go of the world's
     * file lock (SimServers.close: stop(0)), so a read right after a run may meet it still held in this JVM.
     */
    private static <T> T whenUnlocked(java.util.function.Supplier<T> body) {
        for (int attempt = 0; ; attempt++) {
            try {
                return body.get();
            } catch (java.nio.channels.OverlappingFileLockException e) {
                if (attempt >= 100) {
                    throw e;
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }
}

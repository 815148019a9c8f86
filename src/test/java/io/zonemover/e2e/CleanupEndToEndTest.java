package io.zonemover.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * `zonemover cleanup` after a real move on the simulated world, through the real client-java and Ec2Client:
 * nothing before the retention (world time), exactly the kept volume and the move's snapshots after it, the new
 * volume and the pod untouched, and a second run finds nothing.
 */
class CleanupEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void deletesExactlyWhatTheMoveKeptOnceTheRetentionHasPassedInWorldTime() throws Exception {
        SimWorlds.create(dir, "stuck-pod");
        String world = dir.toString();
        SimWorlds.Run move = SimWorlds.run("--sim", world, "migrate", "default/www-web-3", "--to", "auto", "--yes",
                "--poll-interval", "100ms", "-o", "json");
        assertThat(move.exit()).as(move.err()).isZero();
        JsonNode moved = JSON.readTree(move.out());
        String oldVolume = moved.get("oldVolumeId").asText();
        String newVolume = moved.get("newVolumeId").asText();
        SimWorlds.View after = SimWorlds.View.of(dir);
        List<String> moveSnapshots = snapshotsOf(after, oldVolume);
        assertThat(moveSnapshots).as("pre and final").hasSize(2);
        List<String> volumesBefore = ids(after, "volumes");
        List<String> snapshotsBefore = ids(after, "snapshots");

        SimWorlds.Run early = SimWorlds.run("--sim", world, "cleanup", "--older-than", "7d", "--yes");
        assertThat(early.exit()).as(early.err()).isZero();
        assertThat(early.out()).contains(oldVolume, "keep: retention: moved", "Nothing to delete.");
        assertThat(ids(SimWorlds.View.of(dir), "volumes")).isEqualTo(volumesBefore);
        assertThat(ids(SimWorlds.View.of(dir), "snapshots")).isEqualTo(snapshotsBefore);

        SimWorlds.Run advance = SimWorlds.run("sim", "advance", world, "8d");
        assertThat(advance.exit()).as(advance.err()).isZero();
        SimWorlds.Run dryRun = SimWorlds.run("--sim", world, "cleanup", "--dry-run", "-o", "json");
        assertThat(dryRun.exit()).as(dryRun.err()).isZero();
        JsonNode plan = JSON.readTree(dryRun.out());
        assertThat(plan.get("volumes")).singleElement().satisfies(v -> {
            assertThat(v.get("volumeId").asText()).isEqualTo(oldVolume);
            assertThat(v.get("action").asText()).isEqualTo("delete");
            assertThat(v.get("volumeMonthlyUsd").asDouble()).isEqualTo(2.0); // 20 GiB gp2 at $0.10
        });
        assertThat(ids(SimWorlds.View.of(dir), "volumes")).isEqualTo(volumesBefore);

        SimWorlds.Run cleanup = SimWorlds.run("--sim", world, "cleanup", "--yes");
        assertThat(cleanup.exit()).as(cleanup.err()).isZero();
        assertThat(cleanup.out()).contains("1 volume(s) and 2 snapshot(s) deleted.", "kubectl delete pv");

        SimWorlds.View end = SimWorlds.View.of(dir);
        // EC2 takes a moment to delete a volume: it is "deleting" until then, and gone after.
        end.find("volumes", v -> oldVolume.equals(v.get("id")))
                .ifPresent(v -> assertThat(v.get("state")).isIn("deleting", "deleted"));
        assertThat(ids(end, "volumes").stream().filter(v -> !v.equals(oldVolume)).toList())
                .containsExactlyInAnyOrderElementsOf(volumesBefore.stream().filter(v -> !v.equals(oldVolume)).toList());
        assertThat(ids(end, "snapshots")).containsExactlyInAnyOrderElementsOf(
                snapshotsBefore.stream().filter(s -> !moveSnapshots.contains(s)).toList());
        assertThat(end.volume(newVolume).get("state")).isEqualTo("in-use");
        assertThat(end.pod("web-3").get("ready")).isEqualTo(true);
        assertThat(end.claimVolume("www-web-3")).isEqualTo(newVolume);

        SimWorlds.Run again = SimWorlds.run("--sim", world, "cleanup", "--yes");
        assertThat(again.exit()).as(again.err()).isZero();
        assertThat(again.out()).contains("0 completed move(s)", "Nothing to delete.");

        // Named by hand, the volume the pod now uses is refused, with every reason, and left alone.
        SimWorlds.Run refused = SimWorlds.run("--sim", world, "cleanup", newVolume, "--yes");
        assertThat(refused.exit()).as(refused.err()).isEqualTo(3);
        assertThat(refused.err()).contains(newVolume, "not zonemover's", "attached", "bound to PV");
        assertThat(SimWorlds.View.of(dir).volume(newVolume).get("state")).isEqualTo("in-use");
    }

    private static List<String> ids(SimWorlds.View view, String kind) {
        return view.list(kind).stream().map(m -> (String) m.get("id")).sorted().collect(Collectors.toList());
    }

    private static List<String> snapshotsOf(SimWorlds.View view, String volume) {
        return view.list("snapshots").stream().filter(s -> volume.equals(s.get("volumeId"))
                        && ((Map<?, ?>) s.get("tags")).containsKey("zonemover.io/job"))
                .map(s -> (String) s.get("id")).toList();
    }
}

package io.zonemover.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The bench's reading of one move from the world's record: downtime from the history, the model's floor from the
 * final snapshot's changed data (at the world's write rate), the pre-copy rounds taken, and the new volume's time
 * to full speed.
 */
class MoveDowntimeTest {

    /** A 10 GiB volume moved: two pre rounds (writes 100, 400), the final at 460, restored at 10:00:40. */
    private static JsonNode world(String writeRate, String initialization) {
        return MoveDowntime.read("""
                {%s
                 "pvcs": [{"namespace": "shop", "name": "data-orders-0", "volumeName": "new-pv"}],
                 "pvs": [{"name": "new-pv", "volumeId": "vol-new"}],
                 "volumes": [{"id": "vol-new", "snapshotId": "snap-final", "createTime": "2026-01-01T10:00:40Z",
                              %s}],
                 "snapshots": [
                   {"id": "snap-1", "volumeId": "vol-old", "state": "completed", "sizeGiB": 10, "writes": 100,
                    "tags": {"zonemover.io/job": "zm-1", "zonemover.io/phase": "pre"}},
                   {"id": "snap-2", "volumeId": "vol-old", "state": "completed", "sizeGiB": 10, "writes": 400,
                    "tags": {"zonemover.io/job": "zm-1", "zonemover.io/phase": "pre"}},
                   {"id": "snap-final", "volumeId": "vol-old", "state": "completed", "sizeGiB": 10, "writes": 460,
                    "tags": {"zonemover.io/job": "zm-1", "zonemover.io/phase": "final"}}],
                 "history": [
                   {"namespace": "shop", "name": "orders-0", "zone": "us-east-1b", "from": "2026-01-01T09:00:00Z",
                    "to": "2026-01-01T10:00:00Z"},
                   {"namespace": "shop", "name": "orders-0", "zone": "us-east-1c", "from": "2026-01-01T10:01:00Z",
                    "to": null}]}
                """.formatted(writeRate, initialization));
    }

    @Test
    void theFloorCountsTheFinalSnapshotsChangedDataAtTheWorldsWriteRate() {
        MoveDowntime m = MoveDowntime.measure(world("", "\"state\": \"in-use\""), "shop", "data-orders-0",
                "orders-0", "us-east-1c", 1.0);
        assertThat(m.downtimeSeconds()).isEqualTo(60.0);
        assertThat(m.finalSnapshotChangedMiB()).isEqualTo(60);
        // 30 s + 60 MiB at 100 MiB/s, 10 s restore, 3 s attach, 8 s start.
        assertThat(m.boundSeconds()).isCloseTo(51.6, within(1e-9));
        assertThat(m.preSnapshotRounds()).isEqualTo(2);
        assertThat(m.timeToFullSpeedSeconds()).isNaN();

        MoveDowntime fast = MoveDowntime.measure(world("\"writeMiBPerSecond\": 30,", "\"state\": \"in-use\""),
                "shop", "data-orders-0", "orders-0", "us-east-1c", 1.0);
        assertThat(fast.finalSnapshotChangedMiB()).isEqualTo(1800);
        assertThat(fast.boundSeconds()).isCloseTo(69.0, within(1e-9));
    }

    @Test
    void timeToFullSpeedRunsFromCreateVolumeToTheLastBlockLoaded() {
        MoveDowntime rate = MoveDowntime.measure(world("", """
                "initialization": "provisioned-rate 300 MiB/s", "initializedAt": "2026-01-01T10:01:24.133Z"
                """), "shop", "data-orders-0", "orders-0", "us-east-1c", 1.0);
        assertThat(rate.timeToFullSpeedSeconds()).isEqualTo(44.133);
        MoveDowntime fsr = MoveDowntime.measure(world("", """
                "initialization": "fast snapshot restore", "initializedAt": "2026-01-01T10:00:50Z"
                """), "shop", "data-orders-0", "orders-0", "us-east-1c", 1.0);
        assertThat(fsr.timeToFullSpeedSeconds()).isZero();
    }
}

package io.zonemover.diagnose;

import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1PersistentVolume;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaim;
import io.zonemover.diagnose.Facts.MoveRecord;
import io.zonemover.diagnose.Facts.Volume;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The one place that reads Kubernetes objects: what each record takes from them. */
class SnapshotFactsTest {

    private static V1ConfigMap configMap(String data) {
        V1ConfigMap cm = new V1ConfigMap().metadata(new V1ObjectMeta().namespace("db").name("zonemover-zm-1a2b3c")
                .labels(Map.of("app.kubernetes.io/managed-by", "zonemover", "zonemover.io/job", "zm-1a2b3c",
                        "zonemover.io/pod", "db-3")));
        return data == null ? cm : cm.data(Map.of("move.json", data));
    }

    @Test
    void moveRecordFromItsJson() {
        MoveRecord m = SnapshotFacts.move(configMap("""
                {"jobId":"zm-1a2b3c","namespace":"db","pod":"db-3","statefulSet":"db","claims":["data-db-3","wal-db-3"],
                 "fromZone":"us-east-1b","toZone":"us-east-1c","step":"final-snapshot","pointOfNoReturn":false,
                 "updatedAt":"2026-11-30T08:00:00Z","future":{"field":1}}"""));
        assertEquals(new MoveRecord("db", "zonemover-zm-1a2b3c", "zm-1a2b3c", "db-3", "db",
                List.of("data-db-3", "wal-db-3"), "us-east-1b", "us-east-1c", "final-snapshot", false,
                "2026-11-30T08:00:00Z", null), m);
    }

    @Test
    void unreadableRecordFallsBackToItsLabels() {
        for (String data : new String[] {null, "not json", "[1,2]"}) {
            MoveRecord m = SnapshotFacts.move(configMap(data));
            assertEquals("zm-1a2b3c", m.jobId());
            assertEquals("db-3", m.pod());
            assertNull(m.step());
            assertEquals(List.of(), m.claims());
            assertFalse(m.problem().isEmpty());
        }
        V1ConfigMap unlabelled = new V1ConfigMap().metadata(new V1ObjectMeta().namespace("db").name("zonemover-zm-9"));
        assertEquals("zm-9", SnapshotFacts.move(unlabelled).jobId(), "the job id from the name");
    }

    @Test
    void claimAnnotationAndAVolumeOfAnotherDriver() {
        var claim = SnapshotFacts.claim(new V1PersistentVolumeClaim().metadata(new V1ObjectMeta().namespace("db")
                .name("data-db-3").annotations(Map.of("zonemover.io/migration", "zm-1a2b3c"))));
        assertEquals("zm-1a2b3c", claim.migrationJob());
        assertNull(claim.volumeName());

        V1PersistentVolume pv = Fixtures.csiPv("pv-local", "disk-1", "topology.kubernetes.io/zone", "us-east-1c");
        pv.getSpec().getCsi().driver("pd.example.com");
        pv.getSpec().capacity(Map.of("storage", Quantity.fromString("2Gi")));
        assertEquals(new Volume("pv-local", false, "pd.example.com", null, "us-east-1c", 2L << 30),
                SnapshotFacts.volume(pv));
        assertEquals(new Volume("pv-ebs", true, "ebs.csi.aws.com", "vol-1", "us-east-1b", 0),
                SnapshotFacts.volume(Fixtures.csiPv("pv-ebs", "vol-1", "topology.kubernetes.io/zone", "us-east-1b")));
    }
}

package io.zonemover.diagnose;

import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.models.V1CSIPersistentVolumeSource;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1PersistentVolume;
import io.kubernetes.client.openapi.models.V1PersistentVolumeSpec;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1ResourceRequirements;
import io.zonemover.cluster.PvFacts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.zonemover.diagnose.Fixtures.csiPv;
import static io.zonemover.diagnose.Fixtures.inTreePv;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PvFactsTest {

    @ParameterizedTest
    @CsvSource({"topology.kubernetes.io/zone", "topology.ebs.csi.aws.com/zone", "failure-domain.beta.kubernetes.io/zone"})
    void csiZoneFromEitherAffinityKey(String key) {
        V1PersistentVolume pv = csiPv("p", "vol-01", key, "us-east-1c");
        assertTrue(PvFacts.isEbs(pv));
        assertEquals(Optional.of("vol-01"), PvFacts.volumeId(pv));
        assertEquals(Optional.of("us-east-1c"), PvFacts.zone(pv));
    }

    @ParameterizedTest
    @CsvSource(nullValues = "NULL", value = {
            "aws://us-east-1b/vol-0a, NULL,       NULL,       vol-0a, us-east-1b",
            "vol-0a,                  us-east-1d, NULL,       vol-0a, us-east-1d",
            "vol-0a,                  NULL,       us-east-1c, vol-0a, us-east-1c",
            "vol-0a,                  us-east-1d, us-east-1c, vol-0a, us-east-1d",
            "aws:///vol-0a,           NULL,       NULL,       vol-0a, NULL",
            "aws://us-east-1b/vol-0a, NULL,       us-east-1c, vol-0a, us-east-1c",
    })
    void inTreeZoneFromLabelsGaFirst(String volumeId, String ga, String beta, String id, String zone) {
        Map<String, String> labels = new java.util.HashMap<>();
        if (ga != null) {
            labels.put("topology.kubernetes.io/zone", ga);
        }
        if (beta != null) {
            labels.put("failure-domain.beta.kubernetes.io/zone", beta);
        }
        V1PersistentVolume pv = inTreePv("p", volumeId, labels);
        assertTrue(PvFacts.isEbs(pv));
        assertEquals(Optional.of(id), PvFacts.volumeId(pv));
        assertEquals(Optional.ofNullable(zone), PvFacts.zone(pv));
    }

    @Test
    void otherDriversAreNotEbs() {
        V1PersistentVolume efs = new V1PersistentVolume().metadata(new V1ObjectMeta().name("e"))
                .spec(new V1PersistentVolumeSpec().csi(new V1CSIPersistentVolumeSource().driver("efs.csi.aws.com")
                        .volumeHandle("fs-1")));
        assertFalse(PvFacts.isEbs(efs));
        assertEquals(Optional.empty(), PvFacts.volumeId(efs));
        assertFalse(PvFacts.isEbs(new V1PersistentVolume()));
    }

    @ParameterizedTest
    @CsvSource({"250m, 250", "1, 1000", "1.5, 1500", "0.1, 100", "2000m, 2000", "1n, 1"})
    void milliCpu(String quantity, long milli) {
        assertEquals(milli, PvFacts.milli(Quantity.fromString(quantity)));
    }

    @ParameterizedTest
    @CsvSource({"1Gi, 1073741824", "256Mi, 268435456", "1G, 1000000000", "128974848, 128974848", "1k, 1000"})
    void memoryBytes(String quantity, long bytes) {
        assertEquals(bytes, PvFacts.units(Quantity.fromString(quantity)));
    }

    @Test
    void requestsFollowTheSchedulersRules() {
        V1PodSpec spec = new V1PodSpec()
                .containers(List.of(container("250m", "1Gi", null), container(null, null, "500m")))
                .initContainers(List.of(container("2", "64Mi", null)))
                .overhead(Map.of("cpu", Quantity.fromString("100m")));
        // containers 250m + 500m (limit only) = 750m < init 2000m; plus 100m overhead. Memory: max(1Gi, 64Mi).
        assertArrayEquals(new long[] {2100, 1L << 30}, PvFacts.requests(spec));
    }

    private static V1Container container(String cpu, String memory, String cpuLimit) {
        V1ResourceRequirements r = new V1ResourceRequirements();
        if (cpu != null) {
            r.putRequestsItem("cpu", Quantity.fromString(cpu));
        }
        if (memory != null) {
            r.putRequestsItem("memory", Quantity.fromString(memory));
        }
        if (cpuLimit != null) {
            r.putLimitsItem("cpu", Quantity.fromString(cpuLimit));
        }
        return new V1Container().name("c").resources(r);
    }
}

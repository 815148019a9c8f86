package io.zonemover.diagnose;

import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1StorageClass;
import org.junit.jupiter.api.Test;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StorageClassFixTest {

    static V1StorageClass gp2() {
        return new V1StorageClass().apiVersion("storage.k8s.io/v1").kind("StorageClass")
                .metadata(new V1ObjectMeta().name("gp2").uid("u-1").resourceVersion("42")
                        .creationTimestamp(OffsetDateTime.parse("2024-01-01T00:00:00Z"))
                        .labels(Map.of("team", "platform"))
                        .annotations(Map.of("storageclass.kubernetes.io/is-default-class", "true",
                                "storageclass.beta.kubernetes.io/is-default-class", "true",
                                "kubectl.kubernetes.io/last-applied-configuration", "{}")))
                .provisioner("kubernetes.io/aws-ebs").parameters(Map.of("type", "gp2", "fsType", "ext4"))
                .reclaimPolicy("Delete").allowVolumeExpansion(true).mountOptions(List.of("noatime"))
                .volumeBindingMode("Immediate");
    }

    @Test
    void replacementKeepsEverythingButTheModeAndServerFields() {
        V1StorageClass next = StorageClassFix.replacement(gp2());
        assertEquals("WaitForFirstConsumer", next.getVolumeBindingMode());
        assertEquals("gp2", next.getMetadata().getName());
        assertNull(next.getMetadata().getUid());
        assertNull(next.getMetadata().getResourceVersion());
        assertNull(next.getMetadata().getCreationTimestamp());
        assertEquals(Map.of("team", "platform"), next.getMetadata().getLabels());
        assertEquals(Map.of("storageclass.kubernetes.io/is-default-class", "true",
                "storageclass.beta.kubernetes.io/is-default-class", "true",
                "kubectl.kubernetes.io/last-applied-configuration", "{}"), next.getMetadata().getAnnotations());
        assertEquals("kubernetes.io/aws-ebs", next.getProvisioner());
        assertEquals(Map.of("type", "gp2", "fsType", "ext4"), next.getParameters());
        assertEquals("Delete", next.getReclaimPolicy());
        assertEquals(true, next.getAllowVolumeExpansion());
        assertEquals(List.of("noatime"), next.getMountOptions());
        assertEquals("Immediate", gp2().getVolumeBindingMode(), "the original is not modified");
    }

    @Test
    void diffShowsTheOneLineThatChanges() {
        V1StorageClass unset = gp2().volumeBindingMode(null);
        List<String> diff = StorageClassFix.diffFor(unset);
        assertTrue(diff.stream().noneMatch(l -> l.contains("uid") || l.contains("resourceVersion")), diff.toString());
        List<String> changed = diff.stream().filter(l -> !l.startsWith("  ")).toList();
        assertEquals(List.of("- volumeBindingMode: Immediate", "+ volumeBindingMode: WaitForFirstConsumer"), changed);
    }

    @Test
    void lineDiff() {
        assertEquals(List.of("  a", "- b", "+ x", "  c", "+ d"), StorageClassFix.diff("a\nb\nc", "a\nx\nc\nd"));
        assertTrue(StorageClassFix.diff("a", "a").stream().allMatch(l -> l.startsWith("  ")));
    }
}

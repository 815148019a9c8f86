package io.zonemover.domain;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClaimRefAndTagsTest {

    @ParameterizedTest
    @CsvSource({"default/www-web-3,default,www-web-3", "kube-system/data.db-0,kube-system,data.db-0", "a/b,a,b"})
    void parsesNamespaceSlashName(String text, String namespace, String name) {
        ClaimRef ref = ClaimRef.parse(text);
        assertThat(ref.namespace()).isEqualTo(namespace);
        assertThat(ref.name()).isEqualTo(name);
        assertThat(ref.toString()).isEqualTo(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"www-web-3", "/www-web-3", "default/", "a/b/c", "Default/www", "default/WWW", "de fault/x",
            "default/-x", "-ns/x"})
    void rejectsAnythingElseAsBadInput(String text) {
        assertThatThrownBy(() -> ClaimRef.parse(text))
                .isInstanceOfSatisfying(ZonemoverException.class, e -> assertThat(e.kind()).isEqualTo(ZonemoverException.Kind.BAD_INPUT));
    }

    @Test
    void restoredVolumeKeepsUserTagsAndGetsTheDriverAndProvenanceTags() {
        Map<String, String> original = Map.of(
                "team", "payments",
                "CSIVolumeName", "pvc-old",
                "kubernetes.io/created-for/pv/name", "pvc-old",
                "kubernetes.io/created-for/pvc/name", "www-web-3",
                "aws:cloudformation:stack-name", "reserved",
                "zonemover.io/superseded-by", "vol-older");
        Map<String, String> tags = Tags.forRestoredVolume(original, "zm-abc123", "vol-0old", ClaimRef.parse("default/www-web-3"),
                "www-web-3-us-east-1c-abc123");
        assertThat(tags).containsEntry("team", "payments")
                .containsEntry("CSIVolumeName", "www-web-3-us-east-1c-abc123")
                .containsEntry("kubernetes.io/created-for/pv/name", "www-web-3-us-east-1c-abc123")
                .containsEntry("kubernetes.io/created-for/pvc/name", "www-web-3")
                .containsEntry("kubernetes.io/created-for/pvc/namespace", "default")
                .containsEntry("ebs.csi.aws.com/cluster", "true")
                .containsEntry("zonemover.io/job", "zm-abc123")
                .containsEntry("zonemover.io/source-volume", "vol-0old")
                .doesNotContainKey("aws:cloudformation:stack-name")
                .doesNotContainKey("zonemover.io/superseded-by");
    }

    @Test
    void snapshotTagsNameTheJobAndPhase() {
        assertThat(Tags.forSnapshot("zm-1", "final", "vol-1", ClaimRef.parse("ns/c")))
                .containsEntry("zonemover.io/job", "zm-1").containsEntry("zonemover.io/phase", "final")
                .containsEntry("zonemover.io/source-volume", "vol-1").containsEntry("zonemover.io/claim", "ns/c");
    }
}

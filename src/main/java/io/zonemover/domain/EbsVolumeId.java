package io.zonemover.domain;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An EC2 volume id as Kubernetes spells it: the CSI {@code volumeHandle} ({@code vol-...}) or the in-tree
 * {@code awsElasticBlockStore.volumeID} ({@code aws://us-east-1b/vol-...} or {@code aws:///vol-...}).
 * Mirrors {@code KubernetesVolumeIDToEBSVolumeID} in csi-translation-lib (REFERENCE.md A.1), with the
 * zone kept when the in-tree form carries one. The zone here is a hint: the volume's real AZ comes from EC2.
 *
 * @param id   the bare volume id, {@code vol-...}
 * @param zone the availability zone from an {@code aws://zone/} prefix, or null
 */
public record EbsVolumeId(String id, String zone) {

    private static final Pattern BARE = Pattern.compile("vol-[0-9A-Za-z]+");
    private static final Pattern URL = Pattern.compile("aws://([a-z0-9-]*)/(vol-[0-9A-Za-z]+)");

    public Optional<String> availabilityZone() {
        return Optional.ofNullable(zone);
    }

    /** Parses any of the three forms, or throws a bad-input error naming the text. */
    public static EbsVolumeId parse(String text) {
        return tryParse(text).orElseThrow(() -> ZonemoverException.badInput(
                "not an EBS volume id: '" + text + "' (expected vol-..., aws://ZONE/vol-... or aws:///vol-...)"));
    }

    public static Optional<EbsVolumeId> tryParse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String t = text.trim();
        if (BARE.matcher(t).matches()) {
            return Optional.of(new EbsVolumeId(t, null));
        }
        Matcher m = URL.matcher(t);
        if (m.matches()) {
            String zone = m.group(1).isEmpty() ? null : m.group(1);
            return Optional.of(new EbsVolumeId(m.group(2), zone));
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return id;
    }
}

package io.zonemover.diagnose;

import io.zonemover.cluster.PvFacts;
import io.zonemover.diagnose.Facts.StorageClass;
import io.zonemover.diagnose.Finding.Kind;
import io.zonemover.domain.Placement;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Finds EBS StorageClasses that bind Immediately in a cluster spanning several zones: each new volume's
 * zone is chosen before its pod is scheduled, which is how pods get stuck in the first place.
 */
final class ImmediateBindingDetector implements Detector {

    static final Set<String> EBS_PROVISIONERS = Set.of(PvFacts.EBS_CSI_DRIVER, PvFacts.IN_TREE_PROVISIONER);

    @Override
    public List<Finding> detect(ClusterFacts facts, Findings soFar) {
        Set<String> zones = Placement.zones(facts.nodes());
        List<Finding> out = new ArrayList<>();
        if (zones.size() < 2) {
            return out;
        }
        for (StorageClass sc : facts.storageClasses()) {
            String mode = sc.bindingMode();
            if (!EBS_PROVISIONERS.contains(sc.provisioner()) || mode != null && !"Immediate".equals(mode)) {
                continue;
            }
            String name = sc.name();
            long claims = facts.claims().stream().filter(c -> name.equals(c.storageClass())).count();
            out.add(Finding.builder(Kind.ImmediateBindingStorageClass).object("storageclass/" + name)
                    .storageClass(name)
                    .message("StorageClass " + name + " (" + sc.provisioner() + ") binds "
                            + (mode == null ? "Immediately (volumeBindingMode unset)" : "Immediately")
                            + ": each new volume's zone is chosen before its pod is scheduled, so pods get stuck"
                            + " with `volume node affinity conflict` in a cluster spanning " + zones.size()
                            + " zones (" + String.join(", ", zones) + "). Recreate it with WaitForFirstConsumer;"
                            + " its " + claims + " existing claim(s) keep their volumes.")
                    .command(StorageClassFix.command(name)).build());
        }
        return out;
    }
}

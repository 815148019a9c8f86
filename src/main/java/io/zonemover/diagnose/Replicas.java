package io.zonemover.diagnose;

import io.zonemover.diagnose.ClusterFacts.Mount;
import io.zonemover.diagnose.Facts.StatefulSet;

import java.util.ArrayList;
import java.util.List;

/**
 * A StatefulSet's replicas as placed by their volumes (where each pod will run), read from the claims its
 * templates give each ordinal, whether or not the pod exists now.
 */
final class Replicas {

    /**
     * One replica: its zone is its first template's volume's; {@code volumes} holds all its templates'.
     */
    record Replica(int ordinal, String pod, String zone, Mount first, PodVolumes volumes) {
        /** Its volumes can move together: all EBS, all in one zone. */
        boolean movable() {
            return volumes.pinned().isEmpty() && volumes.zones().size() == 1;
        }
    }

    private Replicas() {
    }

    /** The replicas whose first template's claim is bound to an EBS volume with a zone. */
    static List<Replica> of(ClusterFacts facts, StatefulSet sts) {
        List<Replica> out = new ArrayList<>();
        if (sts.claimTemplates().isEmpty()) {
            return out;
        }
        for (int i = sts.ordinalStart(); i < sts.ordinalStart() + sts.replicas(); i++) {
            List<Mount> mounts = new ArrayList<>();
            for (String template : sts.claimTemplates()) {
                mounts.add(facts.mount(sts.namespace(), sts.claimName(template, i)));
            }
            Mount first = mounts.get(0);
            if (first.zonal() && first.volume().ebs()) {
                out.add(new Replica(i, sts.podName(i), first.volume().zone(), first,
                        new PodVolumes(sts.namespace(), mounts)));
            }
        }
        return out;
    }
}

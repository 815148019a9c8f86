package io.zonemover.domain;

import java.util.List;

/**
 * What a migration will do, decided before anything changes: shown to the user, then carried by the job.
 *
 * @param podState how the pod is now ("Pending: 0/6 nodes are available..." or "Running, Ready")
 */
public record MigrationPlan(ClaimRef claim, String pvName, String volumeId, String fromZone, String toZone,
                            int sizeGiB, String volumeType, String podName, String podState,
                            String statefulSetNamespace, String statefulSetName, int replicas,
                            boolean preSnapshot, List<String> notes) {

    /** What will be stopped, in words users recognise. */
    public String disruption() {
        return "StatefulSet " + statefulSetNamespace + "/" + statefulSetName + " is deleted with --cascade=orphan "
                + "(its other " + Math.max(0, replicas - 1) + " pod(s) keep running) and recreated; pod " + podName
                + " is stopped until its volume is restored in " + toZone;
    }
}

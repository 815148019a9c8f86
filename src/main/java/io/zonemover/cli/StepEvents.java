package io.zonemover.cli;

import io.zonemover.cluster.KubeCluster;
import io.zonemover.rescue.KubernetesEvents;

import java.io.PrintWriter;
import java.time.Clock;

/**
 * The progress of the commands that run moves (migrate, jobs resume/rollback/adopt, rebalance apply): lines on
 * stderr, and every action of every step also a Kubernetes Event on the move's claims and StatefulSet (reason
 * MoveStep), as `rescue` records its own moves. Best-effort: without the RBAC to create events, one line
 * says so and the move goes on. Close it after the job engine, so the last events are posted before exit.
 */
final class StepEvents {

    private StepEvents() {
    }

    static KubernetesEvents printing(Connections connections, PrintWriter err) {
        return new KubernetesEvents(new KubeCluster(connections.kube()), new ProgressPrinter(err),
                RescueCommand.hostName(), Clock.systemUTC());
    }
}

package io.zonemover.jobs;

import java.util.List;

/** Where a running job reports what it is doing; the command line prints it, tests collect it. */
@FunctionalInterface
public interface Progress {

    void report(String step, String message);

    /**
     * A step of a move changed something (created, deleted, bound, ...): printed as a line like any other by
     * default; a sink that keeps a record beside the objects concerned (Kubernetes Events on the claims and the
     * StatefulSet) also takes it from here.
     */
    default void action(Action action) {
        report(action.step(), action.message());
    }

    /**
     * What a step did, and to which move and objects.
     *
     * @param statefulSet the StatefulSet's name, null before preflight named it
     * @param claims      the names of the move's claims (in {@code namespace})
     * @param verb        created, deleted, bound, ... (the audit trail's action)
     */
    record Action(String jobId, String namespace, String statefulSet, List<String> claims, String step, String verb,
                  String message) {
        public Action {
            claims = claims == null ? List.of() : List.copyOf(claims);
        }
    }

    Progress NONE = (step, message) -> { };
}

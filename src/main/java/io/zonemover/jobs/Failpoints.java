package io.zonemover.jobs;

/**
 * Crash points for the tests that kill real processes: {@code ZONEMOVER_FAILPOINT=STEP#N} halts the process
 * (as kill -9 would: no shutdown hooks, no commit) when iteration N of STEP begins, and {@code STEP#N!} right
 * after iteration N has acted but before its checkpoint commits, the harshest moment for idempotence. STEP is
 * a step of the move (quiesce) or of its rollback (undo-rebind). Unset in normal use; nothing else reads it.
 */
final class Failpoints {

    private static final String SPEC = System.getenv("ZONEMOVER_FAILPOINT");

    private Failpoints() {
    }

    static void beforeAction(String step, long iteration) {
        check(step + "#" + iteration);
    }

    static void afterAction(String step, long iteration) {
        check(step + "#" + iteration + "!");
    }

    private static void check(String point) {
        if (point.equals(SPEC)) {
            System.err.println("zonemover: failpoint " + point + ": halting");
            System.err.flush();
            Runtime.getRuntime().halt(137);
        }
    }
}

package io.zonemover.jobs;

import io.zonemover.domain.PortError;
import io.zonemover.testing.Faults;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The checks every step (forwards or backwards) must pass, on a world the caller positions just before it:
 * it converges, running it again from its checkpoint changes nothing, an error on any one port call (a
 * transient one, a conflict, or a transient one after the call took effect) changes neither where it ends
 * nor how many things it creates, a rejection on any call fails it, and a crash during any of its
 * iterations leaves no duplicate behind.
 */
final class Convergence {

    /** A fresh world and driver, positioned just before the step under test. */
    @FunctionalInterface
    interface Position {
        StepDriver get() throws Exception;
    }

    /** The calls that change the world: none may be made again by a step that has already done its work. */
    static final Set<String> WRITES = Set.of("createSnapshot", "createVolume", "createStaticPv", "createClaimBoundTo",
            "createStatefulSet", "deleteClaim", "deletePod", "deletePv", "deleteStatefulSetOrphan", "setReclaimPolicy",
            "clearClaimRef", "setUpdateStrategy", "scaleStatefulSet", "createZoneStatefulSet", "reservePv",
            "createClaimAs", "enableFastSnapshotRestores", "disableFastSnapshotRestores");

    /** Writes, and the idempotent ones a step may repeat harmlessly: an error after their effect is worth trying. */
    private static final Set<String> EFFECTS = Set.of("createSnapshot", "createVolume", "createStaticPv",
            "createClaimBoundTo", "createStatefulSet", "deleteClaim", "deletePod", "deletePv", "deleteStatefulSetOrphan",
            "setReclaimPolicy", "clearClaimRef", "setUpdateStrategy", "lockClaim", "unlockClaim", "saveConfigMap",
            "deleteConfigMap", "tag", "scaleStatefulSet", "createZoneStatefulSet", "reservePv", "createClaimAs",
            "enableFastSnapshotRestores", "disableFastSnapshotRestores");

    private final Position at;
    private final String step;
    private final boolean undo;

    Convergence(Position at, String step, boolean undo) {
        this.at = at;
        this.step = step;
        this.undo = undo;
    }

    private record Clean(String fingerprint, List<Faults.Call> cluster, List<Faults.Call> ec2, int iterations) {
    }

    private Clean clean() throws Exception {
        StepDriver d = at.get();
        int c = d.world.cluster().faults().size();
        int e = d.world.ec2().faults().size();
        int n = d.run(step, undo, 400);
        return new Clean(d.world.fingerprint(), d.world.cluster().faults().callsSince(c),
                d.world.ec2().faults().callsSince(e), n);
    }

    private static Faults faults(StepDriver d, boolean ec2) {
        return ec2 ? d.world.ec2().faults() : d.world.cluster().faults();
    }

    /** Done, then run again from the same checkpoint: same world, and no write made twice. */
    String rerunChangesNothing() throws Exception {
        StepDriver d = at.get();
        d.run(step, undo, 400);
        String first = d.world.fingerprint();
        int c = d.world.cluster().faults().size();
        int e = d.world.ec2().faults().size();
        d.forgetDone(undo, step);
        d.run(step, undo, 400);
        assertThat(d.world.fingerprint()).as("the world after running " + step + " again").isEqualTo(first);
        List<Faults.Call> again = new ArrayList<>(d.world.cluster().faults().callsSince(c));
        again.addAll(d.world.ec2().faults().callsSince(e));
        assertThat(again).as("writes made by running " + step + " again").noneMatch(call -> WRITES.contains(call.method()));
        return first;
    }

    /** An error on each port call in turn: the step still ends where a clean run ends. */
    void convergesThroughAnErrorOnEachCall() throws Exception {
        Clean clean = clean();
        List<String> failures = new ArrayList<>();
        for (boolean ec2 : new boolean[] {false, true}) {
            List<Faults.Call> calls = ec2 ? clean.ec2() : clean.cluster();
            for (int i = 0; i < calls.size(); i++) {
                String method = calls.get(i).method();
                List<Object[]> modes = new ArrayList<>();
                modes.add(new Object[] {i % 2 == 0 ? PortError.Kind.TRANSIENT : PortError.Kind.CONFLICT,
                        Faults.When.BEFORE});
                if (EFFECTS.contains(method)) {
                    modes.add(new Object[] {PortError.Kind.TRANSIENT, Faults.When.AFTER_EFFECT});
                }
                for (Object[] mode : modes) {
                    StepDriver d = at.get();
                    faults(d, ec2).failCall(i, (PortError.Kind) mode[0], (Faults.When) mode[1]);
                    String what = (ec2 ? "EC2" : "Kubernetes") + " call " + i + " (" + method + ") " + mode[0] + " "
                            + mode[1];
                    try {
                        d.run(step, undo, 400);
                        if (faults(d, ec2).injected() != 1) {
                            failures.add(what + ": the error was never injected");
                        }
                        if (!d.world.fingerprint().equals(clean.fingerprint())) {
                            failures.add(what + ": ended elsewhere:\n" + diff(clean.fingerprint(), d.world.fingerprint()));
                        }
                    } catch (Exception | AssertionError ex) {
                        failures.add(what + ": " + ex);
                    }
                }
            }
        }
        assertThat(failures).as(step + (undo ? " (undo)" : "") + " with one error injected").isEmpty();
    }

    /** A rejection on each port call in turn fails the step. */
    void failsOnARejectionOfEachCall() throws Exception {
        Clean clean = clean();
        List<String> failures = new ArrayList<>();
        for (boolean ec2 : new boolean[] {false, true}) {
            List<Faults.Call> calls = ec2 ? clean.ec2() : clean.cluster();
            for (int i = 0; i < calls.size(); i++) {
                StepDriver d = at.get();
                faults(d, ec2).failCall(i, PortError.Kind.REJECTED, Faults.When.BEFORE);
                String what = (ec2 ? "EC2" : "Kubernetes") + " call " + i + " (" + calls.get(i).method() + ")";
                try {
                    d.run(step, undo, 400);
                    failures.add(what + " rejected, yet " + step + " finished");
                } catch (PortError e) {
                    if (e.kind() != PortError.Kind.REJECTED) {
                        failures.add(what + ": failed with " + e);
                    }
                } catch (Exception | AssertionError e) {
                    failures.add(what + ": failed with " + e + " instead of the rejection");
                }
            }
        }
        assertThat(failures).isEmpty();
    }

    /** A crash during each iteration in turn, then a resume: the same end, nothing made twice. */
    void survivesACrashDuringEachIteration() throws Exception {
        Clean clean = clean();
        List<String> failures = new ArrayList<>();
        for (int k = 0; k < clean.iterations(); k++) {
            StepDriver d = at.get();
            try {
                if (k > 0) {
                    assertThat(d.run(step, undo, k)).isEqualTo(-1);
                }
                d.crashDuring(step, undo);
                d.run(step, undo, 400);
                if (!d.world.fingerprint().equals(clean.fingerprint())) {
                    failures.add("crash in iteration " + k + ": ended elsewhere:\n"
                            + diff(clean.fingerprint(), d.world.fingerprint()));
                }
            } catch (Exception | AssertionError e) {
                failures.add("crash in iteration " + k + ": " + e);
            }
        }
        assertThat(failures).isEmpty();
    }

    static String diff(String expected, String actual) {
        List<String> e = List.of(expected.split("\n"));
        List<String> a = List.of(actual.split("\n"));
        StringBuilder out = new StringBuilder();
        e.stream().filter(l -> !a.contains(l)).forEach(l -> out.append("  - ").append(l).append('\n'));
        a.stream().filter(l -> !e.contains(l)).forEach(l -> out.append("  + ").append(l).append('\n'));
        return out.toString();
    }
}

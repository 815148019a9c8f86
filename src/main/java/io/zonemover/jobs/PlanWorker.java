package io.zonemover.jobs;

import io.zonemover.domain.PortError;
import io.zonemover.state.MigrationStore;
import io.zonemover.state.PlanStore;
import io.zonemover.state.PlanStore.MoveState;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.TransientDataAccessException;

import java.net.InetAddress;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One worker of a plan several processes share (`rebalance apply FILE --worker`): claims a move the plan's
 * limits allow ({@link MoveClaims}, under the plan's lock), runs it as any plan runs a move ({@link PlanMove}:
 * same job ids, resume or rollback), keeps its lease fresh meanwhile, and claims the next, one move at a time,
 * until the plan is complete or stopped with nothing left for it. The move job's own ownership record is what
 * keeps two workers from running one job at once: a lease that lapsed while its worker still runs the job
 * only makes the next worker wait for that job's owner.
 */
final class PlanWorker {

    /** How one worker's run ended: the plan complete, or stopped (and why). */
    record Outcome(boolean completed, String message) {
    }

    private final PlanStore plans;
    private final MigrationStore store;
    private final PlanMove planMove;
    private final SetBudgets budgets;
    private final MigrationServices services;
    private final String planId;
    private final String worker;
    private String lastWait;
    private long databaseDownSince = -1;
    private long blockedSince = -1;

    PlanWorker(PlanStore plans, MigrationStore store, PlanMove planMove, SetBudgets budgets, MigrationServices services,
               String planId, String worker) {
        this.plans = plans;
        this.store = store;
        this.planMove = planMove;
        this.budgets = budgets;
        this.services = services;
        this.planId = planId;
        this.worker = worker;
    }

    /** This process's worker id when none is given: the JVM's own pid@host (in a pod, host is the pod's name). */
    static String defaultId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "localhost";
        }
        return ProcessHandle.current().pid() + "@" + host;
    }

    Outcome run() throws InterruptedException {
        while (true) {
            PlanStore.Claim<MoveClaims.Decision> claim;
            try {
                claim = plans.claim(planId, worker, (plan, moves, now) -> {
                    MoveClaims.Decision d = MoveClaims.decide(plan, moves, now, budgets::blocked);
                    boolean take = d.kind() == MoveClaims.Kind.TAKE || d.kind() == MoveClaims.Kind.TAKE_OVER;
                    return new PlanStore.Claim<>(take ? d.move() : null, d);
                });
            } catch (TransientDataAccessException e) {
                // Another worker held the plan's lock longer than the database waits (its budget checks).
                Thread.sleep(services.pollMillis());
                continue;
            } catch (DataAccessException e) {
                waitOutDatabase(e);
                continue;
            } catch (PortError e) {
                if (!e.retryable()) {
                    throw e;
                }
                services.progress().report("plan", e.api() + " answered " + e.code() + "; trying again");
                Thread.sleep(services.pollMillis());
                continue;
            }
            databaseDownSince = -1;
            MoveClaims.Decision d = claim.decision();
            switch (d.kind()) {
                case TAKE, TAKE_OVER -> {
                    blockedSince = -1;
                    lastWait = null;
                    runMove(claim.move(), d);
                }
                case COMPLETE -> {
                    plans.setOutcome(planId, "COMPLETED", null);
                    services.progress().report("plan", "worker " + worker + ": plan " + planId + " complete");
                    return new Outcome(true, null);
                }
                case STOPPED -> {
                    return stopped(d.why());
                }
                case WAIT -> {
                    if (!d.blockedByBudgets()) {
                        blockedSince = -1;
                    } else if (blockedSince < 0) {
                        blockedSince = System.currentTimeMillis();
                    } else if (System.currentTimeMillis() - blockedSince >= services.transientBudgetMillis()) {
                        return stopped("the waiting moves' disruption budgets allowed no move for "
                                + services.transientBudgetMillis() / 1000 + " s (" + d.why() + ")");
                    }
                    if (!d.why().equals(lastWait)) {
                        lastWait = d.why();
                        services.progress().report("plan", "worker " + worker + " waiting: " + d.why());
                    }
                    Thread.sleep(services.pollMillis());
                }
            }
        }
    }

    /**
     * The state database did not answer a claim (a network blip, a server restarting): tried again each poll
     * for as long as a step waits out transient errors, then given up (this worker's moves are taken over by
     * others once its leases lapse).
     */
    private void waitOutDatabase(DataAccessException e) throws InterruptedException {
        long now = System.currentTimeMillis();
        if (databaseDownSince < 0) {
            databaseDownSince = now;
            services.progress().report("plan", "worker " + worker + ": the state database did not answer ("
                    + firstLine(e.getMostSpecificCause().getMessage()) + "); trying again");
        } else if (now - databaseDownSince >= services.transientBudgetMillis()) {
            throw e;
        }
        Thread.sleep(services.pollMillis());
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }

    private Outcome stopped(String why) {
        long failed = plans.moves(planId).stream().filter(m -> m.state() == MoveState.FAILED).count();
        long waiting = plans.moves(planId).stream().filter(m -> m.state() == MoveState.WAITING).count();
        String message = "plan " + planId + " stopped: " + why + "; " + failed + " failed, " + waiting
                + " waiting. See `zonemover jobs show " + planId + "`; `zonemover jobs resume " + planId
                + "` tries the failed moves again and goes on";
        plans.setOutcome(planId, "FAILED", message);
        return new Outcome(false, message);
    }

    private void runMove(PlanStore.Move move, MoveClaims.Decision d) throws InterruptedException {
        String label = move.pod().substring(move.pod().indexOf('/') + 1);
        try (Lease ignored = new Lease(move)) {
            if (d.kind() == MoveClaims.Kind.TAKE_OVER) {
                services.progress().report("plan", "worker " + worker + " takes over move #" + move.index() + " ("
                        + move.pod() + (move.jobId() == null ? "" : ", job " + move.jobId()) + "): " + d.why());
                if (!ownerGone(move)) {
                    return;
                }
            } else {
                services.progress().report("plan", "worker " + worker + " claims move #" + move.index() + " ("
                        + move.pod() + " to " + move.toZone() + ")");
            }
            MoveState state;
            try {
                state = ProgressLabel.with(label, () -> planMove.run(move));
            } catch (InterruptedException e) {
                throw e;
            } catch (DataAccessException e) {
                // The move's end could not be recorded: its lease lapses and another worker records it from
                // the job (which says how it ended) instead of this one calling it failed.
                services.progress().report("plan", "worker " + worker + ": move #" + move.index() + " ended but the "
                        + "state database did not take it (" + firstLine(e.getMostSpecificCause().getMessage())
                        + "); another worker records it once the lease lapses");
                return;
            } catch (Exception e) {
                plans.ended(planId, move.index(), MoveState.FAILED, e.getMessage());
                state = MoveState.FAILED;
            }
            services.progress().report("plan", "worker " + worker + ": move #" + move.index() + " (" + move.pod()
                    + ") " + state);
        }
        String check = plans.find(planId).map(PlanStore.Plan::checkCommand).orElse(null);
        if (check != null) {
            String failure = UserCheck.run(check);
            if (failure != null) {
                plans.pause(planId, "--check failed: " + failure);
                services.progress().report("plan", "paused: --check failed: " + failure + "; moves in flight finish, "
                        + "no new one starts (`zonemover jobs resume " + planId + "` when it passes)");
            }
        }
    }

    /**
     * Waits while the job of a move taken over still has a live owner (its worker lost the database, not its
     * life): true once it has none, false when the move ended meanwhile (that worker finished it).
     */
    private boolean ownerGone(PlanStore.Move move) throws InterruptedException {
        if (move.jobId() == null) {
            return true;
        }
        while (true) {
            // Never this process: it runs one move at a time, and releases a job's ownership when the job ends.
            Optional<MigrationStore.Owner> owner = store.owner(move.jobId()).filter(MigrationStore::alive);
            if (owner.isEmpty()) {
                return true;
            }
            boolean stillRunning = plans.moves(planId).stream()
                    .anyMatch(m -> m.index() == move.index() && m.state() == MoveState.RUNNING);
            if (!stillRunning) {
                return false;
            }
            Thread.sleep(services.pollMillis());
        }
    }

    /** Renews this worker's lease on a move a third of a lease apart, for as long as it runs the move. */
    private final class Lease implements AutoCloseable {
        private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "zonemover-lease");
            t.setDaemon(true);
            return t;
        });
        private volatile boolean lost;

        Lease(PlanStore.Move move) {
            int seconds = plans.find(planId).map(PlanStore.Plan::leaseSeconds).orElse(30);
            long every = Math.max(500, seconds * 1000L / 3);
            timer.scheduleAtFixedRate(() -> {
                try {
                    if (!plans.renew(planId, move.index(), worker) && !lost) {
                        lost = plans.moves(planId).stream().anyMatch(m -> m.index() == move.index()
                                && m.state() == MoveState.RUNNING);
                        if (lost) {
                            services.progress().report("plan", "worker " + worker + " lost its lease on move #"
                                    + move.index() + " to another worker; the move job's owner record still "
                                    + "keeps that worker off the job until this one ends");
                        }
                    }
                } catch (RuntimeException ignored) {
                    // A missed renewal only matters once the lease lapses; the next one retries.
                }
            }, every, every, TimeUnit.MILLISECONDS);
        }

        @Override
        public void close() {
            timer.shutdownNow();
        }
    }
}
